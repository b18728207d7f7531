import Database from 'better-sqlite3'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compilePipeline } from '../../../../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../../../../src/definition/load-pipeline.js'
import { DataPlane } from '../../../../src/engine/data-plane.js'
import { runPipeline, type RunResult } from '../../../../src/engine/run-pipeline.js'
import { SqliteStateStore } from '../../../../src/state/sqlite/sqlite-state-store.js'
import { makeRecords, sendJson, startApiServer, type ApiServer } from './api-test-server.js'

// A YAML pipeline run by the real engine: a paginated, authenticated, incremental API into
// SQLite, and the SQLite rows POSTed back to a webhook.
const ALL = makeRecords(120)
let api: ApiServer
let ws: string
let store: SqliteStateStore
let visible = 100
const posted: unknown[] = []
let n = 0
let failedOnce = false

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'sluice-http-'))
  store = await SqliteStateStore.open({ path: join(ws, 'state.db') })
  api = await startApiServer((req, res) => {
    if (req.headers.authorization !== 'Bearer e2e-token') return sendJson(res, {}, 401)
    if (req.url.pathname === '/v2/items') {
      const since = req.url.searchParams.get('since')
      const rows = ALL.slice(0, visible).filter(
        (r) => since === null || (r.updated_at as string) > since,
      )
      const start = Number(req.url.searchParams.get('cursor') ?? '0')
      const next = start + 25 < rows.length ? String(start + 25) : null
      return sendJson(res, { data: { items: rows.slice(start, start + 25) }, next })
    }
    if (req.url.pathname === '/v2/once') {
      // page 3 fails once (the task's first attempt), then the API answers
      const page = Number(req.url.searchParams.get('page') ?? '1')
      if (page === 3 && !failedOnce) {
        failedOnce = true
        return sendJson(res, { error: 'down' }, 503)
      }
      return sendJson(res, ALL.slice((page - 1) * 10, Math.min(page * 10, 60)))
    }
    if (req.url.pathname === '/v2/hook') {
      posted.push(...(JSON.parse(req.body) as unknown[]))
      return sendJson(res, { ok: true })
    }
    return sendJson(res, {}, 404)
  })
})
afterAll(async () => {
  await api.close()
  await store.close()
  await rm(ws, { recursive: true, force: true })
})

async function run(yaml: string): Promise<RunResult> {
  const runId = `r${++n}`
  const loaded = loadPipelineText(yaml, {
    run: { runId },
    displayName: join(ws, 'p.yaml'),
    env: { API: `${api.url}/v2`, TOKEN: 'e2e-token', DB: `sqlite:${join(ws, 'items.db')}` },
  })
  expect(loaded.issues.filter((i) => i.severity === 'error')).toEqual([])
  const plane = new DataPlane(ws)
  try {
    return await runPipeline(compilePipeline(loaded), { store, runId, dataPlane: plane })
  } finally {
    await plane.close()
  }
}

const YAML = `name: http_e2e
connections:
  api:
    type: http
    url: "\${env:API}"
    auth: { type: bearer, token: "\${env:TOKEN}" }
    rate_limit: 100
    retries: { max_attempts: 3, initial_delay: 10ms }
  db: "\${env:DB}"
  hook: { type: http, url: "\${env:API}", auth: { type: bearer, token: "\${env:TOKEN}" } }
tasks:
  pull:
    type: extract
    source:
      connection: api
      incremental: { column: updated_at }
      columns: { id: int64, name: string, score: float64, active: boolean, tags: json, updated_at: timestamptz }
      http:
        path: items
        records: $.data.items
        incremental_param: since
        pagination: { type: cursor, cursor_path: $.next }
    destination: { connection: db, table: items, mode: append }
  push:
    type: extract
    depends_on: [pull]
    source: { connection: db, query: "select id, name, tags from items order by id" }
    destination: { connection: hook, http: { path: hook, batch_size: 40 } }
`

describe('http connector in a pipeline', () => {
  it('extracts pages into SQLite incrementally and POSTs rows to a webhook', async () => {
    const first = await run(YAML)
    expect(first.state, JSON.stringify(first.tasks)).toBe('SUCCESS')
    const db = new Database(join(ws, 'items.db'), { readonly: true })
    try {
      const rows = db.prepare('select id, name, tags, updated_at from items order by id').all() as {
        id: number
        tags: string
        updated_at: string
      }[]
      expect(rows).toHaveLength(100)
      expect(rows[0]).toMatchObject({
        id: 1,
        name: 'name 1',
        updated_at: '2026-01-01T00:00:00.000Z',
      })
      expect(JSON.parse(rows[99]!.tags)).toEqual(['t', 99])
    } finally {
      db.close()
    }
    expect(posted).toHaveLength(100)
    expect(posted[0]).toEqual({ id: 1, name: 'name 1', tags: ['t', 0] })
    expect(api.to('/v2/hook')).toHaveLength(3)
    expect(api.to('/v2/items')).toHaveLength(4)
    expect(api.to('/v2/items').every((r) => !r.url.searchParams.has('since'))).toBe(true)

    // 20 new records: the second run asks only for those past the committed watermark
    visible = 120
    const before = api.to('/v2/items').length
    const second = await run(YAML)
    expect(second.state, JSON.stringify(second.tasks)).toBe('SUCCESS')
    const asked = api.to('/v2/items').slice(before)
    expect(asked[0]!.url.searchParams.get('since')).toBe('2026-01-01T01:39:00.000Z')
    const db2 = new Database(join(ws, 'items.db'), { readonly: true })
    try {
      expect((db2.prepare('select count(*) as n from items').get() as { n: number }).n).toBe(120)
      expect(
        (db2.prepare('select count(distinct id) as n from items').get() as { n: number }).n,
      ).toBe(120)
    } finally {
      db2.close()
    }
  })

  it('a task retried after a failed page loses and doubles no row (page checkpoints on, the default)', async () => {
    const yaml = (dest: string) => `name: http_retry
connections:
  api: { type: http, url: "\${env:API}", auth: { type: bearer, token: "\${env:TOKEN}" }, retries: { max_attempts: 1 } }
  db: "\${env:DB}"
tasks:
  pull:
    type: extract
    retries: { max_attempts: 2, initial_delay: 10ms }
    source: { connection: api, http: { path: once, pagination: { type: page, size: 10 } } }
    ${dest}
`
    for (const [table, dest] of [
      ['retried', 'destination: { connection: db, table: retried, mode: append }'],
      ['staged', ''],
    ] as const) {
      failedOnce = false
      const result = await run(yaml(dest))
      expect(result.state, JSON.stringify(result.tasks)).toBe('SUCCESS')
      expect(result.tasks.pull?.attempts).toBe(2)
      expect((result.tasks.pull?.outputs as { rows: number }).rows).toBe(60)
      if (table === 'staged') continue
      const db = new Database(join(ws, 'items.db'), { readonly: true })
      try {
        expect(
          db.prepare(`select count(distinct id) as n, count(*) as c from ${table}`).get(),
        ).toEqual({
          n: 60,
          c: 60,
        })
      } finally {
        db.close()
      }
    }
  })
})
