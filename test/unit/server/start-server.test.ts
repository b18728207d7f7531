import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { SluiceError } from '../../../src/core/sluice-error.js'
import { startServer, type RunningServer } from '../../../src/server/start-server.js'

const opened: RunningServer[] = []
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close({ graceMs: 100 })
})

function demoApp(): Hono {
  const app = new Hono()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/slow', async (c) => {
    await new Promise((r) => setTimeout(r, 150))
    return c.text('done')
  })
  return app
}

async function refusal(p: Promise<unknown>): Promise<SluiceError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(SluiceError)
  return e as SluiceError
}

describe('startServer', () => {
  it('refuses 0.0.0.0, :: and a LAN address without a token, with a hint', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      const e = await refusal(startServer(demoApp(), { host, port: 0 }))
      expect(e.code).toBe('E_USAGE')
      expect(e.message).toBe(
        `refusing to serve on ${host} without a token: anyone who can reach it could trigger and cancel runs`,
      )
      expect(e.hint).toMatch(/--token .*SLUICE_API_TOKEN/)
    }
    const empty = await refusal(startServer(demoApp(), { host: '0.0.0.0', port: 0, token: '' }))
    expect(empty.code).toBe('E_USAGE')
  })

  it('rejects a port out of range', async () => {
    for (const port of [-1, 65536, 1.5]) {
      const e = await refusal(startServer(demoApp(), { port }))
      expect(e.code).toBe('E_USAGE')
    }
  })

  it('serves on 127.0.0.1 by default, port 0 picks a free port, and a real fetch answers', async () => {
    const s = await startServer(demoApp(), { port: 0 })
    opened.push(s)
    expect(s.host).toBe('127.0.0.1')
    expect(s.port).toBeGreaterThan(0)
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`)
    const res = await fetch(`${s.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('a non-loopback bind with a token is allowed', async () => {
    const s = await startServer(demoApp(), { host: '0.0.0.0', port: 0, token: 't0ken' })
    opened.push(s)
    const res = await fetch(`http://127.0.0.1:${s.port}/healthz`)
    expect(res.status).toBe(200)
  })

  it('a port in use is an E_USAGE naming it', async () => {
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const port = (blocker.address() as { port: number }).port
    try {
      const e = await refusal(startServer(demoApp(), { port }))
      expect(e.code).toBe('E_USAGE')
      expect(e.message).toBe(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`)
    } finally {
      await new Promise((r) => blocker.close(r))
    }
  })

  it('close() waits for an open request, then stops accepting', async () => {
    const s = await startServer(demoApp(), { port: 0 })
    const slow = fetch(`${s.url}/slow`).then((r) => r.text())
    await new Promise((r) => setTimeout(r, 50))
    await s.close()
    expect(await slow).toBe('done')
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow()
    await s.close() // idempotent
  })

  it('close() cuts a request still open after the grace period', async () => {
    const app = new Hono()
    app.get('/hang', () => new Promise<Response>(() => {}))
    const s = await startServer(app, { port: 0 })
    const hang = fetch(`${s.url}/hang`).then(
      () => 'answered',
      () => 'cut',
    )
    await new Promise((r) => setTimeout(r, 50))
    const t0 = Date.now()
    await s.close({ graceMs: 100 })
    expect(Date.now() - t0).toBeLessThan(2000)
    expect(await hang).toBe('cut')
  })
})
