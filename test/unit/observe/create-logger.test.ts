import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  createLogger,
  runLogger,
  taskLogger,
  type CapturedLogLine,
} from '../../../src/observe/create-logger.js'
import { formatLogLine } from '../../../src/observe/format-log-line.js'
import { maskUrl } from '../../../src/observe/mask-url.js'
import { createOpenLineageEmitter } from '../../../src/observe/openlineage-emitter.js'
import { openLineageEvent } from '../../../src/observe/openlineage-event.js'

function sink() {
  const lines: string[] = []
  return { lines, write: (t: string) => lines.push(t) }
}

describe('createLogger', () => {
  it('every JSON line carries pipeline, run_id, task and attempt (null when unknown)', () => {
    const out = sink()
    const captured: CapturedLogLine[] = []
    const root = createLogger({
      destination: out,
      pretty: false,
      onTaskLine: (l) => captured.push(l),
    })
    root.info('starting')
    const run = runLogger(root, 'orders', 'r1')
    run.warn({ tasks: 3 }, 'run started')
    const task = taskLogger(run, 'load', 2)
    task.info({ rows: 7 }, 'loaded')
    const parsed = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(parsed.map((p) => [p.pipeline, p.run_id, p.task, p.attempt, p.msg])).toEqual([
      [null, null, null, null, 'starting'],
      ['orders', 'r1', null, null, 'run started'],
      ['orders', 'r1', 'load', 2, 'loaded'],
    ])
    expect(parsed[2]).toMatchObject({ level: 30, rows: 7 })
    expect(typeof parsed[2]!.time).toBe('string')
    // no key is written twice on a line
    for (const l of out.lines) expect(l.match(/"pipeline"/g)).toHaveLength(1)
    expect(captured).toEqual([
      {
        pipeline: 'orders',
        runId: 'r1',
        task: 'load',
        attempt: 2,
        level: 'info',
        msg: 'loaded',
        line: out.lines[2]!.trimEnd(),
      },
    ])
  })

  it('masks secrets and formats for humans on a TTY', () => {
    const out = sink()
    const log = createLogger({
      destination: out,
      pretty: true,
      mask: (t) => t.replaceAll('hunter2', '***'),
    })
    taskLogger(runLogger(log, 'orders', 'r1'), 'load', 0).error(
      { url: 'x', n: 2 },
      'password hunter2 refused',
    )
    expect(out.lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} ERROR orders\/load#0 password \*\*\* refused url=x n=2\n$/,
    )
    expect(formatLogLine('not json')).toBe('not json\n')
    expect(
      formatLogLine(
        '{"level":30,"time":"2026-01-01T10:00:00.000Z","pipeline":null,"run_id":null,"task":null,"attempt":null,"msg":"hi"}',
      ),
    ).toBe('10:00:00.000 INFO  hi\n')
  })
})

describe('maskUrl', () => {
  it('keeps scheme and host only', () => {
    expect(maskUrl('https://hooks.slack.com/services/T/B/secret')).toBe(
      'https://hooks.slack.com/***',
    )
    expect(maskUrl('http://user:pw@host:8080/')).toBe('http://host:8080')
    expect(maskUrl('http://host:8080/?token=x')).toBe('http://host:8080/***')
    expect(maskUrl('nope')).toBe('***')
  })
})

describe('createOpenLineageEmitter', () => {
  const event = openLineageEvent({
    eventType: 'START',
    eventTime: '2026-01-01T00:00:00Z',
    runId: 'r1',
    pipeline: 'p',
  })

  it('appends JSONL to a file and POSTs to an endpoint, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-ol-'))
    const bodies: unknown[] = []
    const server = createServer((req, res) => {
      let t = ''
      req.on('data', (d: Buffer) => (t += d.toString()))
      req.on('end', () => {
        bodies.push(JSON.parse(t))
        res.end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/lineage`
      const file = join(dir, 'sub', 'lineage.jsonl')
      const errors: string[] = []
      const em = createOpenLineageEmitter({ file, url, onError: (m) => errors.push(m) })
      em.emit(event)
      em.emit({ ...event, eventType: 'COMPLETE' })
      await em.flush()
      expect(errors).toEqual([])
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
      expect(lines.map((l) => (JSON.parse(l) as { eventType: string }).eventType)).toEqual([
        'START',
        'COMPLETE',
      ])
      expect(bodies).toEqual([event, { ...event, eventType: 'COMPLETE' }])
    } finally {
      await new Promise<void>((r) => server.close(() => r()))
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('never throws: a dead endpoint, an HTTP error or a timeout is reported with the URL masked', async () => {
    const errors: string[] = []
    const em = createOpenLineageEmitter({
      url: 'http://127.0.0.1:1/lineage?key=s3cret',
      timeoutMs: 1000,
      onError: (m) => errors.push(m),
    })
    em.emit(event)
    await em.flush()
    const slow = createOpenLineageEmitter({
      url: 'http://x/y',
      timeoutMs: 20,
      onError: (m) => errors.push(m),
      fetch: (_u, init) =>
        new Promise((_r, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new Error('timed out'))),
        ),
    })
    slow.emit(event)
    await slow.flush()
    const bad = createOpenLineageEmitter({
      url: 'http://x/y',
      onError: (m) => errors.push(m),
      fetch: () => Promise.resolve(new Response('no', { status: 500 })),
    })
    bad.emit(event)
    await bad.flush()
    expect(errors).toHaveLength(3)
    expect(errors[0]).toMatch(/^OpenLineage event not sent to http:\/\/127\.0\.0\.1:1\/\*\*\*: /)
    expect(errors.join(' ')).not.toContain('s3cret')
    expect(errors[1]).toBe('OpenLineage event not sent to http://x/***: timed out')
    expect(errors[2]).toBe('OpenLineage endpoint http://x/*** answered HTTP 500')
  })
})
