import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApi, type ApiOptions } from '../../../src/server/create-api.js'
import type { AlertInfo, BackfillInfo } from '../../../src/server/service-control.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'
import { fakeControl, ORDERS_SCHEDULE, type Call } from './fake-control.js'

const dir = mkdtempSync(join(tmpdir(), 'sluice-api-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0

const T = (h: number, m = 0) => new Date(Date.UTC(2026, 0, 1, h, m))
const TOKEN = 'tok-0123456789'

let store: SqliteStateStore
let control: ReturnType<typeof fakeControl>
let unexpected: unknown[]
let app: ReturnType<typeof createApi>

/** A fresh store filled through its own methods: runs, tasks, logs, dead letters, check results. */
async function seed(s: SqliteStateStore): Promise<{ dl: number; dlOk: number; dlDone: number }> {
  const tasks = [{ taskId: 'extract' }, { taskId: 'load' }]
  await s.createRun({
    id: 'r-fail',
    pipeline: 'orders',
    pipelineHash: 'h-orders-1',
    params: { day: '2026-01-01' },
    trigger: 'manual',
    tasks,
    at: T(0),
  })
  await s.transitionRun('r-fail', 'QUEUED', 'RUNNING', T(0, 1))
  await s.transitionTask('r-fail', 'extract', 'PENDING', 'QUEUED', { at: T(0, 1) })
  await s.startAttempt('r-fail', 'extract', T(0, 1))
  await s.appendLog('r-fail', 'extract', 0, 'log', 'reading orders', T(0, 1))
  await s.transitionTask('r-fail', 'extract', 'RUNNING', 'SUCCESS', {
    at: T(0, 2),
    metrics: { rowsOut: 42 },
  })
  await s.transitionTask('r-fail', 'load', 'PENDING', 'QUEUED', { at: T(0, 2) })
  await s.startAttempt('r-fail', 'load', T(0, 2))
  await s.appendLog('r-fail', 'load', 0, 'stderr', 'connection refused', T(0, 3))
  const error = { code: 'E_NETWORK', message: 'connection refused', retryable: true }
  await s.transitionTask('r-fail', 'load', 'RUNNING', 'FAILED', { at: T(0, 3), error })
  await s.transitionRun('r-fail', 'RUNNING', 'FAILED', T(0, 3), error)

  await s.createRun({
    id: 'r-ok',
    pipeline: 'orders',
    pipelineHash: 'h-orders-1',
    params: {},
    trigger: 'schedule',
    tasks,
    at: T(1),
  })
  await s.transitionRun('r-ok', 'QUEUED', 'RUNNING', T(1, 1))
  await s.transitionRun('r-ok', 'RUNNING', 'SUCCESS', T(1, 2))

  await s.createRun({
    id: 'r-live',
    pipeline: 'hello',
    pipelineHash: 'h-hello-1',
    params: {},
    trigger: 'manual',
    tasks: [{ taskId: 'say' }],
    at: T(2),
  })
  await s.transitionRun('r-live', 'QUEUED', 'RUNNING', T(2, 1))
  await s.createRun({
    id: 'r-queued',
    pipeline: 'hello',
    pipelineHash: 'h-hello-1',
    params: {},
    trigger: 'manual',
    tasks: [{ taskId: 'say' }],
    at: T(3),
  })

  const dl = await s.addDeadLetter({
    runId: 'r-fail',
    taskId: 'load',
    attempt: 0,
    error,
    inputs: { day: '2026-01-01' },
    at: T(0, 3),
  })
  const dlOk = await s.addDeadLetter({
    runId: 'r-ok',
    taskId: 'extract',
    attempt: 0,
    error,
    inputs: null,
    at: T(1, 1),
  })
  const dlDone = await s.addDeadLetter({
    runId: 'r-fail',
    taskId: 'extract',
    attempt: 0,
    error,
    inputs: null,
    at: T(0, 2),
  })
  await s.markRequeued(dlDone, T(0, 4))

  const check = {
    runId: 'r-fail',
    pipeline: 'orders',
    taskId: 'extract',
    attempt: 0,
    type: 'not_null',
    severity: 'error' as const,
    total: 42,
    sample: [],
    at: T(0, 2),
  }
  await s.recordCheckResults([
    { ...check, name: 'id_not_null', status: 'pass', failing: 0, message: 'ok' },
    {
      ...check,
      name: 'id_unique',
      type: 'unique',
      status: 'fail',
      failing: 2,
      message: '2 duplicate ids',
      sample: [{ id: 7 }],
    },
  ])
  return { dl, dlOk, dlDone }
}

let ids: { dl: number; dlOk: number; dlDone: number }

function build(
  options: Partial<ApiOptions> = {},
  backfills?: BackfillInfo[],
  alerts?: AlertInfo[],
) {
  control = fakeControl({ ...(backfills && { backfills }), ...(alerts && { alerts }) })
  unexpected = []
  app = createApi({
    store,
    control,
    version: '0.1.0-test',
    pollMs: 20,
    onUnexpectedError: (e) => unexpected.push(e),
    ...options,
  })
}

beforeEach(async () => {
  store = await SqliteStateStore.open({ path: join(dir, `state-${++n}.db`) })
  ids = await seed(store)
  build()
})
afterEach(async () => {
  await store.close()
})

const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })

async function json(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toMatch(/application\/json/)
  return (await res.json()) as Record<string, unknown>
}

async function expectError(res: Response, status: number, code: string): Promise<string> {
  expect(res.status).toBe(status)
  const body = (await json(res)) as { error: { code: string; message: string; hint?: string } }
  expect(body.error.code).toBe(code)
  expect(body.error.message.length).toBeGreaterThan(0)
  expect(JSON.stringify(body)).not.toMatch(/\bat .*\.ts:\d+/) // never a stack
  return body.error.message
}

const mutating = (calls: readonly Call[]) =>
  calls.filter((c) => !['pipelines', 'schedules', 'backfills'].includes(c.method))

describe('health, metrics, unknown routes', () => {
  it('GET /healthz answers ok with the version', async () => {
    const res = await app.request('/healthz')
    expect(res.status).toBe(200)
    expect(await json(res)).toEqual({ status: 'ok', version: '0.1.0-test' })
  })

  it('GET /readyz checks the store: 200 while it answers, 503 E_STATE_CONNECT once closed', async () => {
    expect(await json(await app.request('/readyz'))).toEqual({ status: 'ready' })
    const broken = await SqliteStateStore.open({ path: join(dir, `broken-${++n}.db`) })
    await broken.close()
    build({ store: broken })
    await expectError(await app.request('/readyz'), 503, 'E_STATE_CONNECT')
  })

  it('GET /metrics returns the service exposition text and content type', async () => {
    const res = await app.request('/metrics')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(await res.text()).toBe('# TYPE sluice_runs_total counter\nsluice_runs_total 3\n')
  })

  it('GET /api/v1 names the API', async () => {
    expect(await json(await app.request('/api/v1'))).toEqual({
      name: 'sluice',
      version: '0.1.0-test',
      api: 'v1',
    })
  })

  it('an unknown route is a 404 E_ROUTE_UNKNOWN in the error shape', async () => {
    const msg = await expectError(await app.request('/api/v1/nope'), 404, 'E_ROUTE_UNKNOWN')
    expect(msg).toBe('no route GET /api/v1/nope')
    await expectError(
      await app.request('/api/v1/runs/r-ok', { method: 'PATCH' }),
      404,
      'E_ROUTE_UNKNOWN',
    )
  })

  it('an unexpected throw is a 500 E_INTERNAL without the message or stack', async () => {
    control = fakeControl({ fail: 'schedules' })
    app = createApi({ store, control, version: 'x', onUnexpectedError: (e) => unexpected.push(e) })
    const res = await app.request('/api/v1/schedules')
    const msg = await expectError(res, 500, 'E_INTERNAL')
    expect(msg).toBe('internal error in GET /api/v1/schedules; see the server log')
    expect(msg).not.toContain('boom')
    expect(unexpected).toHaveLength(1)
    expect(String(unexpected[0])).toContain('boom')
  })
})

describe('pipelines', () => {
  it('lists the loaded pipelines with a summary', async () => {
    const body = await json(await app.request('/api/v1/pipelines'))
    expect(body).toEqual({
      pipelines: [
        {
          name: 'hello',
          file: '/srv/pipelines/hello.yaml',
          hash: 'h-hello-1',
          description: null,
          schedule: null,
          tasks: 1,
        },
        {
          name: 'orders',
          file: '/srv/pipelines/orders.yaml',
          hash: 'h-orders-1',
          description: 'Orders into the warehouse',
          schedule: {
            cron: '0 2 * * *',
            timezone: 'UTC',
            paused: false,
            nextRunAt: '2026-01-02T02:00:00.000Z',
          },
          tasks: 2,
        },
      ],
    })
  })

  it('shows a definition with masked connection URLs and secret keys, and its graph', async () => {
    const res = await app.request('/api/v1/pipelines/orders')
    const text = await res.clone().text()
    for (const secret of ['s3cret-pass', 'hunter2', 'tok-123', 'qpw'])
      expect(text).not.toContain(secret)
    const body = (await json(res)) as {
      spec: { connections: Record<string, unknown>; tasks: Record<string, unknown> }
      graph: unknown
      name: string
    }
    expect(body.name).toBe('orders')
    expect(body.spec.connections).toEqual({
      src: 'postgres://etl:***@db.internal:5432/shop?sslmode=require&password=***',
      warehouse: { url: 'mysql://loader:***@wh:3306/dw', pool: 4, token: '***' },
      local: 'sqlite:data/local.db',
    })
    expect(Object.keys(body.spec.tasks)).toEqual(['extract', 'load'])
    expect(body.graph).toEqual({
      pipeline: 'orders',
      nodes: [
        { id: 'extract', type: 'extract', level: 0, critical: true },
        { id: 'load', type: 'load', level: 1, critical: true },
      ],
      edges: [{ from: 'extract', to: 'load' }],
    })
  })

  it('an unknown pipeline is a 404 E_PIPELINE_UNKNOWN with a suggestion', async () => {
    const res = await app.request('/api/v1/pipelines/ordres')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({
      error: {
        code: 'E_PIPELINE_UNKNOWN',
        message: 'no pipeline named "ordres" is loaded',
        hint: 'did you mean "orders"?',
      },
    })
    for (const sub of ['graph', 'status'])
      await expectError(
        await app.request(`/api/v1/pipelines/zzz/${sub}`),
        404,
        'E_PIPELINE_UNKNOWN',
      )
  })

  it('renders the graph as json, mermaid, dot, ascii and svg', async () => {
    const j = await json(await app.request('/api/v1/pipelines/orders/graph'))
    expect(j.edges).toEqual([{ from: 'extract', to: 'load' }])
    const mermaid = await app.request('/api/v1/pipelines/orders/graph?format=mermaid')
    expect(mermaid.headers.get('content-type')).toMatch(/text\/plain/)
    expect(await mermaid.text()).toMatch(/extract[\s\S]*-->[\s\S]*load/)
    const dot = await (await app.request('/api/v1/pipelines/orders/graph?format=dot')).text()
    expect(dot).toContain('"extract" -> "load"')
    const ascii = await (await app.request('/api/v1/pipelines/orders/graph?format=ascii')).text()
    expect(ascii).toContain('extract')
    const svg = await app.request('/api/v1/pipelines/orders/graph?format=svg')
    expect(svg.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8')
    expect(await svg.text()).toMatch(/^<svg|<\?xml/)
  })

  it('colours the graph by the states of a run of that pipeline', async () => {
    const j = (await json(await app.request('/api/v1/pipelines/orders/graph?run=r-fail'))) as {
      nodes: { id: string; state?: string }[]
    }
    expect(j.nodes.map((x) => [x.id, x.state])).toEqual([
      ['extract', 'SUCCESS'],
      ['load', 'FAILED'],
    ])
  })

  it('graph: bad format 400, unknown run 404, a run of another pipeline 400', async () => {
    const msg = await expectError(
      await app.request('/api/v1/pipelines/orders/graph?format=png'),
      400,
      'E_BAD_REQUEST',
    )
    expect(msg).toMatch(/^invalid query: format: /)
    await expectError(
      await app.request('/api/v1/pipelines/orders/graph?run=nope'),
      404,
      'E_STATE_NOT_FOUND',
    )
    expect(
      await expectError(
        await app.request('/api/v1/pipelines/orders/graph?run=r-live'),
        400,
        'E_BAD_REQUEST',
      ),
    ).toBe('run r-live belongs to pipeline "hello", not "orders"')
    await expectError(
      await app.request('/api/v1/pipelines/orders/graph?colour=1'),
      400,
      'E_BAD_REQUEST',
    )
  })

  it('status: last run and next run time; a pipeline without runs or schedule', async () => {
    const s = (await json(await app.request('/api/v1/pipelines/orders/status'))) as {
      lastRun: { id: string }
    } & Record<string, unknown>
    expect(s.pipeline).toBe('orders')
    expect(s.status).toBe('scheduled')
    expect(s.nextRunAt).toBe('2026-01-02T02:00:00.000Z')
    expect(s.lastRun.id).toBe('r-ok') // created 01:00, newer than r-fail (00:00)
    const h = await json(await app.request('/api/v1/pipelines/hello/status'))
    expect(h.status).toBe('manual')
    expect(h.nextRunAt).toBeNull()
    expect((h.lastRun as { id: string }).id).toBe('r-queued')
  })
})

describe('trigger (webhook) and create run', () => {
  it('queues a run with params and answers 202 with its id and location', async () => {
    const res = await post('/api/v1/pipelines/orders/trigger', { params: { day: '2026-01-05' } })
    expect(res.status).toBe(202)
    expect(res.headers.get('location')).toBe('/api/v1/runs/run-new-1')
    expect(await json(res)).toEqual({ runId: 'run-new-1', pipeline: 'orders', deduplicated: false })
    expect(mutating(control.calls)).toEqual([
      { method: 'trigger', args: ['orders', { day: '2026-01-05' }, { actor: 'webhook' }] },
    ])
  })

  it('accepts an empty body (no params) and records actor api on POST …/runs', async () => {
    const res = await app.request('/api/v1/pipelines/hello/runs', { method: 'POST' })
    expect(res.status).toBe(202)
    expect(mutating(control.calls)).toEqual([
      { method: 'trigger', args: ['hello', {}, { actor: 'api' }] },
    ])
  })

  it('passes a dedupe key (body or Idempotency-Key header); a duplicate answers 200', async () => {
    const res = await post('/api/v1/pipelines/orders/trigger', { dedupeKey: 'dup' })
    expect(res.status).toBe(200)
    expect(await json(res)).toEqual({
      runId: 'run-existing',
      pipeline: 'orders',
      deduplicated: true,
    })
    await post('/api/v1/pipelines/orders/trigger', {}, { 'idempotency-key': 'k-7' })
    expect(mutating(control.calls).map((c) => c.args[2])).toEqual([
      { actor: 'webhook', dedupeKey: 'dup' },
      { actor: 'webhook', dedupeKey: 'k-7' },
    ])
  })

  it('malformed JSON is a 400 E_BAD_REQUEST and nothing is queued', async () => {
    const msg = await expectError(
      await post('/api/v1/pipelines/orders/trigger', '{"params": {'),
      400,
      'E_BAD_REQUEST',
    )
    expect(msg).toMatch(/^malformed JSON body in POST \/api\/v1\/pipelines\/orders\/trigger: /)
    expect(mutating(control.calls)).toEqual([])
  })

  it('bad body shapes are 400: params not an object, unknown key, JSON array, bad dedupe key', async () => {
    for (const body of [
      { params: [1, 2] },
      { params: 'day=1' },
      { parameters: {} },
      [1],
      'null',
      42,
      { dedupeKey: '' },
    ]) {
      const res = await post('/api/v1/pipelines/orders/trigger', body)
      await expectError(res, 400, 'E_BAD_REQUEST')
    }
    expect(mutating(control.calls)).toEqual([])
  })

  it('params the pipeline rejects are a 422 with the service code', async () => {
    const res = await post('/api/v1/pipelines/orders/trigger', { params: { dya: '2026-01-01' } })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      error: {
        code: 'E_PARAM_UNDECLARED',
        message: 'pipeline orders declares no param "dya"',
        hint: 'declared: day',
      },
    })
  })

  it('an unknown pipeline is a 404 and the service is not asked to trigger', async () => {
    await expectError(await post('/api/v1/pipelines/nope/trigger', {}), 404, 'E_PIPELINE_UNKNOWN')
    expect(mutating(control.calls)).toEqual([])
  })

  it('a body over the size limit is a 413', async () => {
    build({ maxBodyBytes: 100 })
    const res = await post('/api/v1/pipelines/orders/trigger', { params: { day: 'x'.repeat(200) } })
    await expectError(res, 413, 'E_BAD_REQUEST')
    expect(mutating(control.calls)).toEqual([])
  })
})

describe('auth', () => {
  beforeEach(() => build({ token: TOKEN }))

  it('a mutating call without a token is a 401 E_AUTH with WWW-Authenticate', async () => {
    const res = await post('/api/v1/pipelines/orders/trigger', {})
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="sluice"')
    const msg = await expectError(res, 401, 'E_AUTH')
    expect(msg).toBe('POST /api/v1/pipelines/orders/trigger needs an Authorization: Bearer token')
    expect(control.calls).toEqual([])
  })

  it('a wrong token, a token of another length, or another scheme is a 401', async () => {
    for (const authorization of [
      'Bearer tok-0123456788',
      'Bearer tok',
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN}x`,
      'Bearer',
    ]) {
      const res = await post('/api/v1/runs/r-fail/resume', undefined, { authorization })
      await expectError(res, 401, 'E_AUTH')
    }
    for (const path of ['/api/v1/dlq/1', '/api/v1/runs/r-ok'])
      await expectError(await app.request(path, { method: 'DELETE' }), 401, 'E_AUTH')
    expect(control.calls).toEqual([])
    expect((await store.listDeadLetters()).length).toBe(3)
  })

  it('the right token passes (scheme case-insensitive); reads stay open', async () => {
    const res = await post('/api/v1/runs/r-fail/resume', undefined, {
      authorization: `bearer ${TOKEN}`,
    })
    expect(res.status).toBe(202)
    expect((await app.request('/api/v1/runs')).status).toBe(200)
    expect((await app.request('/metrics')).status).toBe(200)
  })

  it('with readToken, reads need the token too, but /healthz and /readyz do not', async () => {
    build({ token: TOKEN, readToken: true })
    await expectError(await app.request('/api/v1/runs'), 401, 'E_AUTH')
    await expectError(await app.request('/metrics'), 401, 'E_AUTH')
    const ok = await app.request('/api/v1/runs', { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(ok.status).toBe(200)
    expect((await app.request('/healthz')).status).toBe(200)
    expect((await app.request('/readyz')).status).toBe(200)
  })

  it('auth is checked before the body: malformed JSON without a token is a 401', async () => {
    await expectError(await post('/api/v1/pipelines/orders/trigger', '{'), 401, 'E_AUTH')
  })
})

describe('runs', () => {
  it('lists runs newest first with state and pipeline filters', async () => {
    const all = (await json(await app.request('/api/v1/runs'))) as {
      runs: { id: string }[]
      nextCursor: string | null
      limit: number
    }
    expect(all.runs.map((r) => r.id)).toEqual(['r-queued', 'r-live', 'r-ok', 'r-fail'])
    expect(all.nextCursor).toBeNull()
    expect(all.limit).toBe(50)
    const orders = (await json(await app.request('/api/v1/runs?pipeline=orders'))) as {
      runs: { id: string }[]
    }
    expect(orders.runs.map((r) => r.id)).toEqual(['r-ok', 'r-fail'])
    const failed = (await json(await app.request('/api/v1/runs?state=failed'))) as {
      runs: { id: string; state: string; error: unknown }[]
    }
    expect(failed.runs.map((r) => [r.id, r.state])).toEqual([['r-fail', 'FAILED']])
    expect(failed.runs[0]?.error).toMatchObject({
      code: 'E_NETWORK',
      message: 'connection refused',
    })
    const none = (await json(await app.request('/api/v1/runs?pipeline=ghost'))) as {
      runs: unknown[]
    }
    expect(none.runs).toEqual([])
  })

  it('pages with a cursor across ties, unaffected by runs created meanwhile; offset too', async () => {
    const mk = (id: string, minute: number) =>
      store.createRun({
        id,
        pipeline: 'bulk',
        pipelineHash: 'h',
        params: {},
        trigger: 'manual',
        tasks: [],
        at: T(5, minute),
      })
    for (let i = 1; i <= 5; i++) await mk(`b${i}`, i)
    await mk('b6', 6)
    await mk('b7', 6) // same createdAt as b6: the id breaks the tie (DESC)
    type Page = { runs: { id: string }[]; nextCursor: string | null }
    const page = async (q: string) =>
      (await json(await app.request(`/api/v1/runs?pipeline=bulk&${q}`))) as Page

    const p1 = await page('limit=1')
    expect(p1.runs.map((r) => r.id)).toEqual(['b7'])
    const p2 = await page(`limit=1&cursor=${p1.nextCursor}`)
    expect(p2.runs.map((r) => r.id)).toEqual(['b6'])
    await mk('b8', 30) // newer than everything: must not shift the next pages
    const p3 = await page(`limit=3&cursor=${p2.nextCursor}`)
    expect(p3.runs.map((r) => r.id)).toEqual(['b5', 'b4', 'b3'])
    const p4 = await page(`limit=3&cursor=${p3.nextCursor}`)
    expect(p4.runs.map((r) => r.id)).toEqual(['b2', 'b1'])
    expect(p4.nextCursor).toBeNull()

    expect((await page('limit=2&offset=2')).runs.map((r) => r.id)).toEqual(['b6', 'b5'])
    const last = await page('limit=2&offset=7')
    expect(last.runs.map((r) => r.id)).toEqual(['b1'])
    expect(last.nextCursor).toBeNull()
    expect((await page('offset=8')).runs).toEqual([])
  })

  it('bad list queries are 400: limit, offset, state, cursor, unknown filter', async () => {
    for (const q of [
      'limit=0',
      'limit=501',
      'limit=abc',
      'limit=1.5',
      'offset=-1',
      'state=DONE',
      'cursor=%%%',
      'cursor=bm90LWpzb24',
      'statе=FAILED',
    ]) {
      await expectError(await app.request(`/api/v1/runs?${q}`), 400, 'E_BAD_REQUEST')
    }
  })

  it('filters by backfill group (from the service), 404 for an unknown group', async () => {
    build({}, [
      {
        groupId: 'g1',
        pipeline: 'orders',
        from: '2026-01-01',
        to: '2026-01-02',
        concurrency: 1,
        runs: ['r-fail', 'r-ok', 'gone'],
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    ])
    const g = (await json(await app.request('/api/v1/runs?group=g1'))) as {
      runs: { id: string }[]
    }
    expect(g.runs.map((r) => r.id)).toEqual(['r-ok', 'r-fail'])
    const gf = (await json(await app.request('/api/v1/runs?group=g1&state=FAILED&limit=1'))) as {
      runs: { id: string }[]
      nextCursor: string | null
    }
    expect(gf.runs.map((r) => r.id)).toEqual(['r-fail'])
    expect(gf.nextCursor).toBeNull()
    await expectError(await app.request('/api/v1/runs?group=g2'), 404, 'E_STATE_NOT_FOUND')
  })

  it('lists active runs (QUEUED and RUNNING)', async () => {
    const a = (await json(await app.request('/api/v1/runs/active'))) as { runs: { id: string }[] }
    expect(a.runs.map((r) => r.id)).toEqual(['r-queued', 'r-live'])
  })

  it('shows a run with its tasks and attempts; 404 for an unknown run', async () => {
    const r = (await json(await app.request('/api/v1/runs/r-fail'))) as {
      id: string
      state: string
      params: unknown
      tasks: {
        taskId: string
        state: string
        attempts: { attempt: number; state: string; rowsOut: number | null }[]
      }[]
    }
    expect(r.id).toBe('r-fail')
    expect(r.state).toBe('FAILED')
    expect(r.params).toEqual({ day: '2026-01-01' })
    expect(r.tasks.map((t) => [t.taskId, t.state])).toEqual([
      ['extract', 'SUCCESS'],
      ['load', 'FAILED'],
    ])
    expect(r.tasks[0]?.attempts).toHaveLength(1)
    expect(r.tasks[0]?.attempts[0]?.rowsOut).toBe(42)
    const msg = await expectError(
      await app.request('/api/v1/runs/r-nope'),
      404,
      'E_STATE_NOT_FOUND',
    )
    expect(msg).toBe('no run "r-nope" in the state store')
  })

  it('lists a run’s audit events; 404 for an unknown run', async () => {
    const e = (await json(await app.request('/api/v1/runs/r-ok/events'))) as {
      events: { type: string }[]
    }
    expect(e.events.map((x) => x.type)).toEqual(['run:created', 'run:state', 'run:state'])
    await expectError(await app.request('/api/v1/runs/x/events'), 404, 'E_STATE_NOT_FOUND')
  })

  it('cancel: 202 for an active run (service asked), 409 for a finished one, 404 unknown', async () => {
    const res = await post('/api/v1/runs/r-live/cancel')
    expect(res.status).toBe(202)
    expect(await json(res)).toEqual({ runId: 'r-live', cancelRequested: true })
    await expectError(await post('/api/v1/runs/r-ok/cancel'), 409, 'E_STATE_TRANSITION')
    await expectError(await post('/api/v1/runs/zz/cancel'), 404, 'E_STATE_NOT_FOUND')
    await expectError(await post('/api/v1/runs/r-queued/cancel', '{'), 400, 'E_BAD_REQUEST')
    await expectError(
      await post('/api/v1/runs/r-queued/cancel', { force: true }),
      400,
      'E_BAD_REQUEST',
    )
    expect(mutating(control.calls)).toEqual([{ method: 'cancel', args: ['r-live', 'api'] }])
  })

  it('resume: 202 with the tasks to rerun for a FAILED run; 409 otherwise; 404 unknown', async () => {
    const res = await post('/api/v1/runs/r-fail/resume', {})
    expect(res.status).toBe(202)
    expect(await json(res)).toEqual({ runId: 'r-fail', tasks: ['load'] })
    for (const id of ['r-ok', 'r-live', 'r-queued'])
      await expectError(await post(`/api/v1/runs/${id}/resume`), 409, 'E_RUN_NOT_RESUMABLE')
    await expectError(await post('/api/v1/runs/zz/resume'), 404, 'E_STATE_NOT_FOUND')
    expect(mutating(control.calls)).toEqual([{ method: 'resume', args: ['r-fail', 'api'] }])
  })
})

describe('logs', () => {
  it('returns a run’s logs oldest first, by task, and after an id', async () => {
    const all = (await json(await app.request('/api/v1/runs/r-fail/logs'))) as {
      logs: { id: number; taskId: string; stream: string; text: string }[]
    }
    expect(all.logs.map((l) => [l.taskId, l.stream, l.text])).toEqual([
      ['extract', 'log', 'reading orders'],
      ['load', 'stderr', 'connection refused'],
    ])
    const load = (await json(await app.request('/api/v1/runs/r-fail/logs?task=load'))) as {
      logs: { text: string }[]
    }
    expect(load.logs.map((l) => l.text)).toEqual(['connection refused'])
    const first = all.logs[0]?.id ?? 0
    const after = (await json(await app.request(`/api/v1/runs/r-fail/logs?after=${first}`))) as {
      logs: { text: string }[]
    }
    expect(after.logs.map((l) => l.text)).toEqual(['connection refused'])
    const empty = (await json(await app.request('/api/v1/runs/r-queued/logs'))) as {
      logs: unknown[]
    }
    expect(empty.logs).toEqual([])
  })

  it('the per-task route (API-06) and its 404s', async () => {
    const t = (await json(await app.request('/api/v1/runs/r-fail/tasks/extract/logs'))) as {
      logs: { text: string }[]
    }
    expect(t.logs.map((l) => l.text)).toEqual(['reading orders'])
    const msg = await expectError(
      await app.request('/api/v1/runs/r-fail/tasks/nope/logs'),
      404,
      'E_STATE_NOT_FOUND',
    )
    expect(msg).toBe('run r-fail has no task "nope"')
    await expectError(await app.request('/api/v1/runs/zz/tasks/x/logs'), 404, 'E_STATE_NOT_FOUND')
  })

  it('bad log queries: unknown run 404, unknown task 404, bad follow/after 400', async () => {
    await expectError(await app.request('/api/v1/runs/zz/logs'), 404, 'E_STATE_NOT_FOUND')
    await expectError(
      await app.request('/api/v1/runs/r-fail/logs?task=x'),
      404,
      'E_STATE_NOT_FOUND',
    )
    await expectError(
      await app.request('/api/v1/runs/r-fail/logs?follow=yes'),
      400,
      'E_BAD_REQUEST',
    )
    await expectError(await app.request('/api/v1/runs/r-fail/logs?after=-3'), 400, 'E_BAD_REQUEST')
  })

  it('follow=1 streams SSE: old lines, lines appended later, and ends when the run finishes', async () => {
    await store.appendLog('r-live', 'say', 0, 'log', 'before open')
    const res = await app.request('/api/v1/runs/r-live/logs?follow=1')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    let done = false
    const until = async (pred: (t: string) => boolean) => {
      const deadline = Date.now() + 5000
      while (!pred(text) && !done) {
        if (Date.now() > deadline) throw new Error(`timed out; stream so far:\n${text}`)
        const chunk = await reader.read()
        if (chunk.done) done = true
        else text += decoder.decode(chunk.value, { stream: true })
      }
    }
    await until((t) => t.includes('before open'))
    expect(text).not.toContain('after open')
    await store.appendLog('r-live', 'say', 0, 'stdout', 'after open')
    await until((t) => t.includes('after open'))
    expect(done).toBe(false)
    await store.appendLog('r-live', 'say', 0, 'log', 'last words')
    await store.transitionRun('r-live', 'RUNNING', 'SUCCESS', new Date())
    await until(() => false)
    expect(done).toBe(true)
    const events = text
      .split('\n\n')
      .filter((b) => b.trim() !== '')
      .map((block) => {
        const ev = /^event: (.*)$/m.exec(block)?.[1]
        const data = /^data: (.*)$/m.exec(block)?.[1]
        return {
          ev,
          data: data === undefined ? undefined : (JSON.parse(data) as Record<string, unknown>),
        }
      })
    expect(events.map((e) => [e.ev, e.data?.text ?? e.data?.state])).toEqual([
      ['log', 'before open'],
      ['log', 'after open'],
      ['log', 'last words'],
      ['end', 'SUCCESS'],
    ])
    // ids are the log ids, so a reconnect can resume
    const logs = await store.readLogs('r-live')
    expect(text).toContain(`id: ${logs[1]?.id}\n`)
  })

  it('follow on a finished run sends the lines then end at once; Last-Event-ID resumes', async () => {
    const logs = await store.readLogs('r-fail')
    const res = await app.request('/api/v1/runs/r-fail/logs?follow=1', {
      headers: { 'last-event-id': String(logs[0]?.id) },
    })
    const text = await res.text()
    expect(text).not.toContain('reading orders')
    expect(text).toContain('connection refused')
    expect(text).toMatch(/event: end\ndata: \{"runId":"r-fail","state":"FAILED"\}/)
  })
})

describe('schedules and backfills', () => {
  it('lists and shows schedules; 404 for unknown pipeline or unscheduled one', async () => {
    expect(await json(await app.request('/api/v1/schedules'))).toEqual({
      schedules: [ORDERS_SCHEDULE],
    })
    expect(await json(await app.request('/api/v1/schedules/orders'))).toEqual(ORDERS_SCHEDULE)
    await expectError(await app.request('/api/v1/schedules/nope'), 404, 'E_PIPELINE_UNKNOWN')
    const msg = await expectError(
      await app.request('/api/v1/schedules/hello'),
      404,
      'E_STATE_NOT_FOUND',
    )
    expect(msg).toBe('pipeline "hello" has no schedule')
  })

  it('pauses with a reason and resumes (both routes), passing what it received', async () => {
    const p = (await json(
      await post('/api/v1/schedules/orders/pause', { reason: 'db upgrade' }),
    )) as {
      paused: boolean
      pausedReason: string
    }
    expect([p.paused, p.pausedReason]).toEqual([true, 'db upgrade'])
    expect((await post('/api/v1/schedules/orders/resume')).status).toBe(200)
    expect((await post('/api/v1/pipelines/orders/pause')).status).toBe(200)
    expect((await post('/api/v1/pipelines/orders/resume', {})).status).toBe(200)
    expect(mutating(control.calls)).toEqual([
      { method: 'pauseSchedule', args: ['orders', 'db upgrade', 'api'] },
      { method: 'resumeSchedule', args: ['orders', 'api'] },
      { method: 'pauseSchedule', args: ['orders', '', 'api'] },
      { method: 'resumeSchedule', args: ['orders', 'api'] },
    ])
  })

  it('pause/resume errors: bad body 400, unknown 404, a service error keeps its status', async () => {
    await expectError(
      await post('/api/v1/schedules/orders/pause', { reason: 5 }),
      400,
      'E_BAD_REQUEST',
    )
    await expectError(await post('/api/v1/schedules/orders/pause', '{x'), 400, 'E_BAD_REQUEST')
    await expectError(
      await post('/api/v1/schedules/orders/pause', { reason: 'r'.repeat(501) }),
      400,
      'E_BAD_REQUEST',
    )
    await expectError(await post('/api/v1/schedules/nope/pause', {}), 404, 'E_PIPELINE_UNKNOWN')
    await expectError(await post('/api/v1/pipelines/nope/resume'), 404, 'E_PIPELINE_UNKNOWN')
    // hello is loaded but unscheduled: the service says so
    await expectError(await post('/api/v1/pipelines/hello/resume'), 404, 'E_STATE_NOT_FOUND')
    expect(mutating(control.calls)).toEqual([{ method: 'resumeSchedule', args: ['hello', 'api'] }])
  })

  it('queues a backfill and passes the interval, concurrency and params', async () => {
    const res = await post('/api/v1/pipelines/orders/backfills', {
      from: '2026-01-01',
      to: '2026-01-03',
      concurrency: 2,
      params: { day: 'x' },
    })
    expect(res.status).toBe(202)
    expect(await json(res)).toEqual({
      groupId: 'bf-1',
      pipeline: 'orders',
      runs: ['bf-run-1', 'bf-run-2'],
    })
    await post('/api/v1/pipelines/orders/backfills', {
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-01',
    })
    expect(mutating(control.calls)).toEqual([
      {
        method: 'backfill',
        args: [
          'orders',
          { from: '2026-01-01', to: '2026-01-03', concurrency: 2, params: { day: 'x' } },
          'api',
        ],
      },
      {
        method: 'backfill',
        args: [
          'orders',
          { from: '2026-01-01T00:00:00Z', to: '2026-01-01', concurrency: 1, params: {} },
          'api',
        ],
      },
    ])
  })

  it('bad backfills are 400 (from after to, bad dates, concurrency, missing); 404 unknown', async () => {
    for (const body of [
      { from: '2026-01-05', to: '2026-01-01' },
      { from: '2026-13-01', to: '2026-12-01' },
      { from: 'yesterday', to: '2026-01-01' },
      { from: '2026-01-01', to: '2026-01-02', concurrency: 0 },
      { from: '2026-01-01', to: '2026-01-02', concurrency: 65 },
      { from: '2026-01-01', to: '2026-01-02', concurrency: '2' },
      { from: '2026-01-01' },
      {},
    ]) {
      await expectError(
        await post('/api/v1/pipelines/orders/backfills', body),
        400,
        'E_BAD_REQUEST',
      )
    }
    await expectError(await post('/api/v1/pipelines/orders/backfills'), 400, 'E_BAD_REQUEST')
    await expectError(await post('/api/v1/pipelines/orders/backfills', '{'), 400, 'E_BAD_REQUEST')
    await expectError(
      await post('/api/v1/pipelines/nope/backfills', { from: '2026-01-01', to: '2026-01-02' }),
      404,
      'E_PIPELINE_UNKNOWN',
    )
    expect(mutating(control.calls)).toEqual([])
  })

  it('lists and shows backfill groups; 404 for an unknown group', async () => {
    const g: BackfillInfo = {
      groupId: 'g1',
      pipeline: 'orders',
      from: '2026-01-01',
      to: '2026-01-02',
      concurrency: 1,
      runs: ['r-fail'],
      createdAt: '2026-01-01T00:00:00.000Z',
    }
    build({}, [g])
    expect(await json(await app.request('/api/v1/backfills'))).toEqual({ backfills: [g] })
    expect(await json(await app.request('/api/v1/backfills/g1'))).toEqual(g)
    await expectError(await app.request('/api/v1/backfills/g9'), 404, 'E_STATE_NOT_FOUND')
  })
})

describe('dead letters', () => {
  it('lists oldest first with filters and offset paging', async () => {
    type L = {
      deadLetters: { id: number; runId: string }[]
      total: number
      nextOffset: number | null
    }
    const all = (await json(await app.request('/api/v1/dlq'))) as L
    expect(all.deadLetters.map((d) => d.id)).toEqual([ids.dl, ids.dlOk, ids.dlDone])
    expect([all.total, all.nextOffset]).toEqual([3, null])
    const byRun = (await json(await app.request('/api/v1/dlq?run=r-fail'))) as L
    expect(byRun.deadLetters.map((d) => d.id)).toEqual([ids.dl, ids.dlDone])
    const pending = (await json(await app.request('/api/v1/dlq?requeued=false'))) as L
    expect(pending.deadLetters.map((d) => d.id)).toEqual([ids.dl, ids.dlOk])
    const byTask = (await json(await app.request('/api/v1/dlq?run=r-fail&task=extract'))) as L
    expect(byTask.deadLetters.map((d) => d.id)).toEqual([ids.dlDone])
    const p1 = (await json(await app.request('/api/v1/dlq?limit=2'))) as L
    expect([p1.deadLetters.map((d) => d.id), p1.nextOffset]).toEqual([[ids.dl, ids.dlOk], 2])
    const p2 = (await json(await app.request('/api/v1/dlq?limit=2&offset=2'))) as L
    expect([p2.deadLetters.map((d) => d.id), p2.nextOffset]).toEqual([[ids.dlDone], null])
    for (const q of ['limit=0', 'requeued=maybe', 'offset=x', 'queue=transient'])
      await expectError(await app.request(`/api/v1/dlq?${q}`), 400, 'E_BAD_REQUEST')
  })

  it('shows one entry; bad id 400, unknown id 404', async () => {
    const d = await json(await app.request(`/api/v1/dlq/${ids.dl}`))
    expect(d).toMatchObject({
      id: ids.dl,
      runId: 'r-fail',
      taskId: 'load',
      error: { code: 'E_NETWORK', message: 'connection refused' },
      inputs: { day: '2026-01-01' },
      requeuedAt: null,
    })
    await expectError(await app.request('/api/v1/dlq/999'), 404, 'E_STATE_NOT_FOUND')
    for (const bad of ['abc', '0', '-1', '1.5'])
      await expectError(await app.request(`/api/v1/dlq/${bad}`), 400, 'E_BAD_REQUEST')
  })

  it('requeue resumes the run through the service, marks the entry and audits it', async () => {
    const res = await post(`/api/v1/dlq/${ids.dl}/requeue`)
    expect(res.status).toBe(202)
    expect(await json(res)).toEqual({ id: ids.dl, runId: 'r-fail', tasks: ['load'] })
    expect(mutating(control.calls)).toEqual([{ method: 'resume', args: ['r-fail', 'api'] }])
    expect((await store.getDeadLetter(ids.dl))?.requeuedAt).not.toBeNull()
    const ev = (await store.listEvents('r-fail')).filter((e) => e.type === 'dlq.requeued')
    expect(ev.map((e) => [e.actor, e.data])).toEqual([
      ['api', { deadLetter: ids.dl, task: 'load' }],
    ])
    // a second requeue is a conflict
    await expectError(await post(`/api/v1/dlq/${ids.dl}/requeue`), 409, 'E_STATE_CONFLICT')
  })

  it('requeue refusals: already requeued 409, run not resumable 409, unknown 404', async () => {
    await expectError(await post(`/api/v1/dlq/${ids.dlDone}/requeue`), 409, 'E_STATE_CONFLICT')
    await expectError(await post(`/api/v1/dlq/${ids.dlOk}/requeue`), 409, 'E_RUN_NOT_RESUMABLE')
    await expectError(await post('/api/v1/dlq/999/requeue'), 404, 'E_STATE_NOT_FOUND')
    await expectError(await post(`/api/v1/dlq/${ids.dl}/requeue`, '{'), 400, 'E_BAD_REQUEST')
    expect(mutating(control.calls)).toEqual([])
    expect((await store.getDeadLetter(ids.dlOk))?.requeuedAt).toBeNull()
  })

  it('purges chosen ids (unknown ones count 0) and then all', async () => {
    const some = await post('/api/v1/dlq/purge', { ids: [ids.dl, 999] })
    expect(await json(some)).toEqual({ purged: 1 })
    expect((await store.listDeadLetters()).map((d) => d.id)).toEqual([ids.dlOk, ids.dlDone])
    expect(await json(await post('/api/v1/dlq/purge', { all: true }))).toEqual({ purged: 2 })
    expect(await store.listDeadLetters()).toEqual([])
    expect(await json(await post('/api/v1/dlq/purge', { all: true }))).toEqual({ purged: 0 })
  })

  it('purge needs ids or all:true; bad shapes are 400 and purge nothing', async () => {
    for (const body of [
      undefined,
      {},
      { ids: [] },
      { ids: ['1'] },
      { all: false },
      { ids: [1], all: true },
      '{',
    ])
      await expectError(await post('/api/v1/dlq/purge', body), 400, 'E_BAD_REQUEST')
    expect(await store.listDeadLetters()).toHaveLength(3)
  })

  it('DELETE /dlq/:id removes one entry; 404 when absent', async () => {
    const res = await app.request(`/api/v1/dlq/${ids.dlOk}`, { method: 'DELETE' })
    expect(await json(res)).toEqual({ purged: 1 })
    expect((await store.listDeadLetters()).map((d) => d.id)).toEqual([ids.dl, ids.dlDone])
    await expectError(
      await app.request(`/api/v1/dlq/${ids.dlOk}`, { method: 'DELETE' }),
      404,
      'E_STATE_NOT_FOUND',
    )
  })
})

describe('quality results and lineage', () => {
  it('GET /runs/:id/tasks/:task/rejects answers from the service; unknown run or task is 404, bad limit 400', async () => {
    const runs = (await json(await app.request('/api/v1/runs?limit=1'))) as {
      runs: { id: string }[]
    }
    const run = runs.runs[0]!.id
    const task = (await store.listTasks(run))[0]!.taskId
    expect(
      await json(await app.request(`/api/v1/runs/${run}/tasks/${task}/rejects?limit=5`)),
    ).toEqual({
      rejects: [{ file: 'dirty.csv', line: 5, reason: 'not a number', raw: 'x,1' }],
      total: 1,
    })
    expect(control.calls.at(-1)).toEqual({ method: 'rejects', args: [run, task, 5] })
    await expectError(
      await app.request(`/api/v1/runs/nope/tasks/${task}/rejects`),
      404,
      'E_STATE_NOT_FOUND',
    )
    await expectError(
      await app.request(`/api/v1/runs/${run}/tasks/nope/rejects`),
      404,
      'E_STATE_NOT_FOUND',
    )
    await expectError(
      await app.request(`/api/v1/runs/${run}/tasks/${task}/rejects?limit=0`),
      400,
      'E_BAD_REQUEST',
    )
  })

  it('GET /alerts lists the alerts the service sent, or says no alerts file is configured', async () => {
    expect(await json(await app.request('/api/v1/alerts'))).toEqual({
      configured: false,
      alerts: [],
    })
    const sent: AlertInfo = {
      at: '2026-11-22T06:40:01.120Z',
      key: 'failed|nightly',
      rule: 'failed',
      kind: 'run_failed',
      severity: 'high',
      title: 'Pipeline nightly failed',
      pipeline: 'nightly',
      runId: 'r-1',
      channel: 'ops',
      status: 'sent',
      error: null,
    }
    build({}, undefined, [sent])
    expect(await json(await app.request('/api/v1/alerts'))).toEqual({
      configured: true,
      alerts: [sent],
    })
  })

  it('lists check results of a run in order, and by pipeline/task/name', async () => {
    type C = { checks: { name: string; status: string; failing: number; total: number }[] }
    const r = (await json(await app.request('/api/v1/runs/r-fail/checks'))) as C
    expect(r.checks.map((c) => [c.name, c.status, c.failing, c.total])).toEqual([
      ['id_not_null', 'pass', 0, 42],
      ['id_unique', 'fail', 2, 42],
    ])
    const byName = (await json(
      await app.request('/api/v1/checks?pipeline=orders&name=id_unique'),
    )) as C
    expect(byName.checks.map((c) => c.name)).toEqual(['id_unique'])
    const limited = (await json(await app.request('/api/v1/checks?pipeline=orders&limit=1'))) as C
    expect(limited.checks).toHaveLength(1)
    const none = (await json(await app.request('/api/v1/checks?run=r-ok'))) as C
    expect(none.checks).toEqual([])
    await expectError(await app.request('/api/v1/runs/zz/checks'), 404, 'E_STATE_NOT_FOUND')
    await expectError(await app.request('/api/v1/checks?limit=0'), 400, 'E_BAD_REQUEST')
    await expectError(await app.request('/api/v1/checks?severity=error'), 400, 'E_BAD_REQUEST')
  })

  it('asks the service for lineage of a dataset or a task, with the direction', async () => {
    const g = (await json(
      await app.request('/api/v1/lineage?dataset=dw.orders&direction=upstream'),
    )) as {
      edges: unknown[]
    }
    expect(g.edges).toEqual([{ from: 'task:orders.extract', to: 'dataset:dw.orders' }])
    await app.request('/api/v1/lineage?pipeline=orders&task=extract')
    expect(mutating(control.calls)).toEqual([
      { method: 'lineage', args: [{ dataset: 'dw.orders' }, 'upstream'] },
      { method: 'lineage', args: [{ pipeline: 'orders', task: 'extract' }, 'both'] },
    ])
  })

  it('lineage errors: neither or both, task without pipeline, bad direction 400; unknown 404', async () => {
    for (const q of [
      '',
      'dataset=a&task=b&pipeline=orders',
      'task=extract',
      'dataset=a&direction=sideways',
    ])
      await expectError(await app.request(`/api/v1/lineage?${q}`), 400, 'E_BAD_REQUEST')
    await expectError(
      await app.request('/api/v1/lineage?pipeline=nope&task=x'),
      404,
      'E_PIPELINE_UNKNOWN',
    )
    await expectError(await app.request('/api/v1/lineage?dataset=nope'), 404, 'E_STATE_NOT_FOUND')
  })
})
