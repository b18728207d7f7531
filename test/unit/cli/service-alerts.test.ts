import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attachAlerts } from '../../../src/cli/serve/service-alerts.js'
import { RunEvents } from '../../../src/engine/run-events.js'
import { parseAlertConfig } from '../../../src/observe/alert-rules.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'

// The service's alert feeds that do not come from a failure: a scheduled run that started late,
// and a dataset that was not written for too long. A local webhook receives the alerts.
let dir: string
let store: SqliteStateStore
let hook: Server
let url: string
const received: Record<string, unknown>[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-alert-feeds-'))
  store = await SqliteStateStore.open({ path: join(dir, 'state.db') })
  hook = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>)
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`
})
afterAll(async () => {
  await new Promise((r) => hook.close(r))
  await store.close()
  await rm(dir, { recursive: true, force: true })
})

const config = () =>
  parseAlertConfig({
    channels: { ops: { type: 'webhook', url } },
    rules: [
      { name: 'late', on: 'schedule_late', channels: ['ops'], grace: '1m' },
      { name: 'stale', on: 'freshness', channels: ['ops'], dataset: 'daily.*', max_age: '1h' },
    ],
  })

const until = async (ok: () => boolean) => {
  const t0 = Date.now()
  while (!ok()) {
    if (Date.now() - t0 > 5000) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('service alert feeds', () => {
  it('a scheduled run that starts 10 minutes after its due time raises schedule_late; one on time does not', async () => {
    received.length = 0
    const events = new RunEvents()
    const feed = attachAlerts(config(), events, store, () => undefined, { pipelines: () => [] })
    try {
      const now = Date.now()
      for (const [id, lateMs] of [
        ['on-time', 5_000],
        ['late', 600_000],
      ] as const) {
        events.emit('run:start', {
          runId: id,
          pipeline: id === 'late' ? 'hourly' : 'minutely',
          tasks: 1,
          resumed: false,
          at: now,
          scheduledFor: now - lateMs,
        })
      }
      // a manual run (no due time) is never late
      events.emit('run:start', { runId: 'm', pipeline: 'adhoc', tasks: 1, resumed: false, at: now })
      await until(() => received.length >= 1)
      await new Promise((r) => setTimeout(r, 200))
      expect(received).toHaveLength(1)
      expect(received[0]).toMatchObject({ rule: 'late', kind: 'schedule_late', pipeline: 'hourly' })
      expect(feed.recent()).toEqual([
        expect.objectContaining({ rule: 'late', status: 'sent', pipeline: 'hourly' }),
      ])
    } finally {
      feed.stop()
    }
  })

  it('a dataset last written more than max_age ago raises freshness, checked periodically', async () => {
    received.length = 0
    const old = new Date(Date.now() - 3 * 3600_000)
    await store.createRun({
      id: 'd1',
      pipeline: 'daily',
      pipelineHash: 'h',
      params: {},
      trigger: 'manual',
      tasks: [{ taskId: 'orders' }, { taskId: 'notify' }],
      at: old,
    })
    await store.transitionRun('d1', 'QUEUED', 'RUNNING', old)
    for (const [task, outputs] of [
      ['orders', { rows: 12, dataset: '/ws/d1/orders/data.parquet' }],
      ['notify', null],
    ] as const) {
      await store.transitionTask('d1', task, 'PENDING', 'QUEUED', { at: old })
      await store.startAttempt('d1', task, old)
      await store.transitionTask('d1', task, 'RUNNING', 'SUCCESS', { at: old, outputs })
    }
    await store.transitionRun('d1', 'RUNNING', 'SUCCESS', old)
    const events = new RunEvents()
    const feed = attachAlerts(config(), events, store, () => undefined, {
      pipelines: () => ['daily'],
      freshnessEveryMs: 50,
    })
    try {
      await until(() => received.length >= 1)
      await new Promise((r) => setTimeout(r, 300))
      // one alert for the one dataset (the task without rows is no dataset), deduped across checks
      expect(received).toHaveLength(1)
      expect(received[0]).toMatchObject({ rule: 'stale', kind: 'freshness', pipeline: 'daily' })
      expect(JSON.stringify(received[0])).toContain('daily.orders')
    } finally {
      feed.stop()
    }
  })
})
