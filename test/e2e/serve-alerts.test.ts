import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startServe } from '../helpers/start-serve.js'

// A pipeline that fails every second under `sluice serve --alerts`: the local webhook receives
// one alert for the incident, however many runs fail inside the quiet period.
describe('sluice serve --alerts', () => {
  it('sends one webhook alert per incident to a local HTTP server', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-alerts-'))
    const received: { body: Record<string, unknown>; at: number }[] = []
    const hook = createServer((req: IncomingMessage, res) => {
      let body = ''
      req.on('data', (d: Buffer) => (body += d.toString()))
      req.on('end', () => {
        received.push({ body: JSON.parse(body) as Record<string, unknown>, at: Date.now() })
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r))
    const port = (hook.address() as AddressInfo).port
    try {
      await mkdir(join(dir, 'pipes'))
      await writeFile(
        join(dir, 'pipes', 'flaky.yaml'),
        `name: flaky
schedule: "* * * * * *"
tasks:
  boom: { type: command, command: "exit 3", retries: { max_attempts: 1 } }
`,
      )
      await writeFile(
        join(dir, 'alerts.yaml'),
        `alerts:
  channels:
    ops: { type: webhook, url: "\${env:HOOK_URL}" }
  rules:
    - { name: failures, on: run_failed, channels: [ops], quiet_period: 1h }
`,
      )
      const serve = await startServe(dir, {
        args: ['--alerts', 'alerts.yaml'],
        env: { HOOK_URL: `http://127.0.0.1:${port}/hook` },
      })
      const t0 = Date.now()
      while ((serve.output().match(/run flaky-\S+ FAILED/g) ?? []).length < 3) {
        if (Date.now() - t0 > 30_000 || serve.child.exitCode !== null)
          throw new Error(`no 3 failed runs:\n${serve.output()}`)
        await new Promise((r) => setTimeout(r, 100))
      }
      await new Promise((r) => setTimeout(r, 500))
      // the API lists the alert sent once and the later failures of the incident as suppressed
      const listed = (await (await fetch(`${serve.url}/api/v1/alerts`)).json()) as {
        configured: boolean
        alerts: { status: string; rule: string; channel: string }[]
      }
      expect(listed.configured).toBe(true)
      expect(listed.alerts.filter((a) => a.status === 'sent')).toEqual([
        expect.objectContaining({ rule: 'failures', channel: 'ops' }),
      ])
      expect(listed.alerts.filter((a) => a.status === 'suppressed').length).toBeGreaterThanOrEqual(
        2,
      )
      expect(await serve.stop()).toBe(0)
      expect(received).toHaveLength(1)
      expect(received[0]!.body).toMatchObject({
        status: 'firing',
        rule: 'failures',
        kind: 'run_failed',
        pipeline: 'flaky',
      })
      expect(String(received[0]!.body.title)).toBe('Pipeline flaky failed')
    } finally {
      hook.close()
      await rm(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
