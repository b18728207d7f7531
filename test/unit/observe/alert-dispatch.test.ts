import { createServer, type IncomingMessage, type Server } from 'node:http'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createAlertDispatcher } from '../../../src/observe/alert-dispatcher.js'
import { evaluateAlertRules, parseAlertConfig } from '../../../src/observe/alert-rules.js'

interface Received {
  path: string
  body: unknown
}
let server: Server
let base: string
let received: Received[] = []
/** Status codes to answer, in order; 200 when empty. */
let answers: number[] = []

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let text = ''
    req.on('data', (d: Buffer) => (text += d.toString()))
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(text) })
      res.statusCode = answers.shift() ?? 200
      res.end('ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))
beforeEach(() => {
  received = []
  answers = []
})

const failed = (pipeline: string, runId: string, at: string) =>
  ({
    kind: 'run',
    pipeline,
    runId,
    state: 'FAILED',
    at,
    error: { code: 'E_X', message: 'boom' },
  }) as const

describe('alert dispatch over HTTP (one alert per incident)', () => {
  it('the same failure twice within the quiet period posts once; a new incident posts again', async () => {
    const cfg = parseAlertConfig({
      quiet_period: '1h',
      channels: { ops: { type: 'webhook', url: `${base}/hook/secret-token` } },
      rules: [{ name: 'failures', on: 'run_failed', channels: ['ops'] }],
    })
    let clock = Date.parse('2026-01-01T00:00:00Z')
    const d = createAlertDispatcher({ channels: cfg.channels, now: () => clock })
    const send = (s: Parameters<typeof evaluateAlertRules>[1]) =>
      d.dispatch(evaluateAlertRules(cfg.rules, s))

    const first = await send(failed('orders', 'r1', '2026-01-01T00:00:00Z'))
    expect(first).toEqual([{ key: 'failures|orders', channel: 'ops', status: 'sent', tries: 1 }])
    clock += 10 * 60_000
    const second = await send(failed('orders', 'r2', '2026-01-01T00:10:00Z'))
    expect(second[0]?.status).toBe('suppressed')
    expect(received).toHaveLength(1)
    expect(received[0]).toEqual({
      path: '/hook/secret-token',
      body: {
        version: 1,
        status: 'firing',
        key: 'failures|orders',
        rule: 'failures',
        kind: 'run_failed',
        severity: 'high',
        pipeline: 'orders',
        run_id: 'r1',
        task: null,
        title: 'Pipeline orders failed',
        message: 'Run r1 failed: E_X boom.',
        at: '2026-01-01T00:00:00.000Z',
        details: { state: 'FAILED', error_code: 'E_X' },
      },
    })

    // another pipeline: a new incident
    await send(failed('billing', 'b1', '2026-01-01T00:11:00Z'))
    expect(received).toHaveLength(2)
    expect((received[1]!.body as { key: string }).key).toBe('failures|billing')

    // orders recovers (resolves), then fails again: a new incident inside the old quiet period
    await send({ kind: 'run', pipeline: 'orders', runId: 'r3', state: 'SUCCESS', at: clock })
    expect(d.openIncidents()).toEqual(['failures|billing'])
    clock += 60_000
    await send(failed('orders', 'r4', '2026-01-01T00:12:00Z'))
    expect(received).toHaveLength(3)
    expect((received[2]!.body as { run_id: string }).run_id).toBe('r4')

    // still failing after the quiet period: a reminder
    clock += 61 * 60_000
    await send(failed('orders', 'r5', '2026-01-01T01:13:00Z'))
    expect(received).toHaveLength(4)
  })

  it('posts { text } to a Slack-compatible webhook', async () => {
    const cfg = parseAlertConfig({
      channels: { slack: { type: 'slack', url: `${base}/services/T0/B0/xyz` } },
      rules: [
        {
          name: 'late',
          on: 'schedule_late',
          grace: '5m',
          severity: 'critical',
          channels: ['slack'],
        },
      ],
    })
    const d = createAlertDispatcher({ channels: cfg.channels })
    await d.dispatch(
      evaluateAlertRules(cfg.rules, {
        kind: 'schedule',
        pipeline: 'orders',
        dueAt: '2026-01-01T02:00:00Z',
        startedAt: null,
        at: '2026-01-01T02:10:00Z',
      }),
    )
    expect(received).toEqual([
      {
        path: '/services/T0/B0/xyz',
        body: {
          text: '[CRITICAL] Schedule of orders is late\nThe run due at 2026-01-01T02:00:00.000Z has not started 10m late (grace 5m).',
        },
      },
    ])
  })

  it('retries 5xx with backoff, gives up on 4xx, and masks the URL secret in logs', async () => {
    const cfg = parseAlertConfig({
      channels: { ops: { type: 'webhook', url: `${base}/hook/s3cr3t?token=abc` } },
      rules: [{ name: 'f', on: 'run_failed', channels: ['ops'] }],
    })
    const delays: number[] = []
    const warnings: string[] = []
    const d = createAlertDispatcher({
      channels: cfg.channels,
      sleep: (ms) => {
        delays.push(ms)
        return Promise.resolve()
      },
      retryDelayMs: 100,
      logger: { info: () => {}, warn: (_o, msg) => warnings.push(msg) },
    })
    answers = [503, 502]
    const ok = await d.dispatch(
      evaluateAlertRules(cfg.rules, failed('a', 'r1', '2026-01-01T00:00:00Z')),
    )
    expect(ok[0]).toMatchObject({ status: 'sent', tries: 3 })
    expect(delays).toEqual([100, 200])
    expect(received).toHaveLength(3)

    answers = [400]
    const bad = await d.dispatch(
      evaluateAlertRules(cfg.rules, failed('b', 'r1', '2026-01-01T00:00:00Z')),
    )
    expect(bad[0]).toMatchObject({ status: 'failed', tries: 1 })
    expect(received).toHaveLength(4)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('HTTP 400')
    expect(warnings[0]).not.toContain('s3cr3t')
    expect(warnings[0]).not.toContain('abc')
    // nothing got through: the next signal tries again instead of being suppressed
    expect(d.openIncidents()).toEqual(['f|a'])
    await d.dispatch(evaluateAlertRules(cfg.rules, failed('b', 'r2', '2026-01-01T00:00:00Z')))
    expect(received).toHaveLength(5)
  })

  it('runs a command channel with the alert JSON on stdin and SLUICE_ALERT_* env vars', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-alert-'))
    try {
      const out = join(dir, 'alert.txt')
      const cfg = parseAlertConfig({
        channels: {
          sh: {
            type: 'command',
            command: `cat > '${out}'; echo >> '${out}'; echo "$SLUICE_ALERT_SEVERITY $SLUICE_ALERT_TASK" >> '${out}'`,
          },
          broken: { type: 'command', command: 'echo nope >&2; exit 3' },
        },
        rules: [{ name: 'dq', on: 'check_failed', channels: ['sh', 'broken'] }],
      })
      const d = createAlertDispatcher({ channels: cfg.channels })
      const outcomes = await d.dispatch(
        evaluateAlertRules(cfg.rules, {
          kind: 'check',
          pipeline: 'orders',
          runId: 'r1',
          task: 'clean',
          name: 'not_null_id',
          status: 'fail',
          severity: 'error',
          message: '2 rows have a NULL id',
          at: '2026-01-01T00:00:00Z',
        }),
      )
      expect(outcomes).toEqual([
        { key: 'dq|orders|clean|not_null_id', channel: 'sh', status: 'sent', tries: 1 },
        {
          key: 'dq|orders|clean|not_null_id',
          channel: 'broken',
          status: 'failed',
          tries: 1,
          error: 'command exited with code 3: nope',
        },
      ])
      const [json, env] = readFileSync(out, 'utf8').split('\n')
      expect(JSON.parse(json!)).toMatchObject({
        key: 'dq|orders|clean|not_null_id',
        title: 'Quality check not_null_id failed on orders.clean',
        message: '2 rows have a NULL id',
        severity: 'high',
      })
      expect(env).toBe('high clean')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
