import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest'
import type {
  ApiCheckResult,
  ApiDataset,
  ApiDeadLetter,
  ApiPipelineVersion,
  ApiRun,
  ApiRunDetail,
  ApiSchedule,
  ApiBackfill,
  ApiLineage,
  ApiLogLine,
  ApiEvent,
} from '../../../src/server/api-types.js'
import { createApi } from '../../../src/server/create-api.js'
import type {
  BackfillInfo,
  LineageGraph,
  PipelineInfo,
  ScheduleInfo,
} from '../../../src/server/service-control.js'
import type {
  CheckResultRecord,
  DeadLetterRecord,
  EventRecord,
  LogRecord,
  RunRecord,
  TaskRecord,
} from '../../../src/state/records.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'
import { fakeControl, ORDERS } from './fake-control.js'

const dir = mkdtempSync(join(tmpdir(), 'sluice-dash-api-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const T = (h: number, m = 0) => new Date(Date.UTC(2026, 0, 1, h, m))

let store: SqliteStateStore
let app: ReturnType<typeof createApi>
let unexpected: unknown[]

beforeEach(async () => {
  store = await SqliteStateStore.open({ path: join(dir, `state-${++n}.db`) })
  unexpected = []
  app = createApi({
    store,
    control: fakeControl(),
    version: 'x',
    dashboard: false,
    onUnexpectedError: (e) => unexpected.push(e),
  })
})
afterEach(async () => {
  expect(unexpected).toEqual([])
  await store.close()
})

async function run(id: string, trigger: string, at: Date, hash = 'h-orders-1'): Promise<void> {
  await store.createRun({
    id,
    pipeline: 'orders',
    pipelineHash: hash,
    params: {},
    trigger,
    tasks: [{ taskId: 'extract' }, { taskId: 'load' }],
    at,
  })
}

const json = async <T>(path: string, status = 200): Promise<T> => {
  const r = await app.request(path)
  expect(r.status, await r.clone().text()).toBe(status)
  return (await r.json()) as T
}

describe('api types shared with the dashboard', () => {
  it('the store records and service answers are assignable to the API types', () => {
    expectTypeOf<RunRecord>().toExtend<ApiRun>()
    expectTypeOf<RunRecord & { tasks: TaskRecord[] }>().toExtend<ApiRunDetail>()
    expectTypeOf<DeadLetterRecord>().toExtend<ApiDeadLetter>()
    expectTypeOf<CheckResultRecord>().toExtend<ApiCheckResult>()
    expectTypeOf<LogRecord>().toExtend<ApiLogLine>()
    expectTypeOf<EventRecord>().toExtend<ApiEvent>()
    expectTypeOf<ScheduleInfo>().toExtend<ApiSchedule>()
    expectTypeOf<BackfillInfo>().toExtend<ApiBackfill>()
    expectTypeOf<LineageGraph>().toExtend<ApiLineage>()
  })
})

describe('GET /api/v1/runs with trigger and time filters', () => {
  beforeEach(async () => {
    for (let i = 0; i < 120; i++)
      await run(`r-${String(i).padStart(3, '0')}`, i % 3 === 0 ? 'manual' : 'schedule', T(0, i))
  })

  it('filters by trigger kind and pages through the matches', async () => {
    const p1 = await json<{ runs: ApiRun[]; nextCursor: string | null }>(
      '/api/v1/runs?trigger=manual&limit=30',
    )
    expect(p1.runs).toHaveLength(30)
    expect(p1.runs.every((r) => r.trigger === 'manual')).toBe(true)
    expect(p1.runs[0]!.id).toBe('r-117')
    const p2 = await json<{ runs: ApiRun[]; nextCursor: string | null }>(
      `/api/v1/runs?trigger=manual&limit=30&cursor=${p1.nextCursor!}`,
    )
    expect(p2.runs.map((r) => r.id)).toEqual([
      'r-027',
      'r-024',
      'r-021',
      'r-018',
      'r-015',
      'r-012',
      'r-009',
      'r-006',
      'r-003',
      'r-000',
    ])
    expect(p2.nextCursor).toBeNull()
  })

  it('filters by a created-at window (since inclusive, until exclusive)', async () => {
    const page = await json<{ runs: ApiRun[] }>(
      `/api/v1/runs?since=${T(0, 10).toISOString()}&until=${T(0, 15).toISOString()}`,
    )
    expect(page.runs.map((r) => r.id)).toEqual(['r-014', 'r-013', 'r-012', 'r-011', 'r-010'])
    const none = await json<{ runs: ApiRun[] }>(`/api/v1/runs?since=2030-01-01T00:00:00Z`)
    expect(none.runs).toEqual([])
  })

  it('rejects a malformed time with a 400 naming the field', async () => {
    const body = await json<{ error: { code: string; message: string } }>(
      '/api/v1/runs?since=yesterday',
      400,
    )
    expect(body.error.code).toBe('E_BAD_REQUEST')
    expect(body.error.message).toContain('since')
  })
})

describe('GET /api/v1/pipelines/:name/versions', () => {
  it('lists the versions runs pinned, newest first, with masked sources', async () => {
    await store.savePipelineVersion({
      pipeline: 'orders',
      hash: 'h-orders-0',
      source: 'name: orders\nconnections:\n  src: postgres://etl:old-pass@db/shop\ntasks: {}\n',
    })
    await store.savePipelineVersion({
      pipeline: 'orders',
      hash: 'h-orders-1',
      source: 'name: orders\npassword: hunter2\ntasks: { extract: { type: extract } }\n',
    })
    await run('r-old', 'manual', T(0), 'h-orders-0')
    await run('r-new', 'manual', T(1), 'h-orders-1')
    await run('r-new2', 'manual', T(2), 'h-orders-1')
    const body = await json<{ pipeline: string; versions: ApiPipelineVersion[] }>(
      '/api/v1/pipelines/orders/versions',
    )
    expect(body.versions.map((v) => [v.version, v.hash, v.current, v.runs])).toEqual([
      [2, 'h-orders-1', true, 2],
      [1, 'h-orders-0', false, 1],
    ])
    expect(body.versions[0]!.source).toContain('password: ***')
    expect(body.versions[1]!.source).not.toContain('old-pass')
    expect(body.versions[1]!.source).toContain('postgres://etl:***@db/shop')
  })

  it('shows the loaded file when the current definition never ran', async () => {
    const file = join(dir, `hello-${n}.yaml`)
    writeFileSync(file, 'name: hello\ntasks: { say: { type: noop } }\n')
    const control = fakeControl()
    const pipelines = control.pipelines.bind(control)
    control.pipelines = () =>
      (pipelines() as PipelineInfo[]).map((p) => (p.name === 'hello' ? { ...p, file } : p))
    app = createApi({ store, control, version: 'x', dashboard: false })
    const body = await json<{ versions: ApiPipelineVersion[] }>('/api/v1/pipelines/hello/versions')
    expect(body.versions).toEqual([
      {
        version: null,
        hash: 'h-hello-1',
        createdAt: null,
        source: 'name: hello\ntasks: { say: { type: noop } }\n',
        current: true,
        runs: 0,
        lastRunAt: null,
      },
    ])
  })

  it('an unknown pipeline is a 404 and a query parameter a 400', async () => {
    expect((await app.request('/api/v1/pipelines/nope/versions')).status).toBe(404)
    expect((await app.request('/api/v1/pipelines/orders/versions?x=1')).status).toBe(400)
  })
})

describe('GET /api/v1/datasets', () => {
  it('lists the datasets of the loaded pipelines with rows and schema of the latest run', async () => {
    await run('r-1', 'manual', T(0))
    await store.transitionTask('r-1', 'extract', 'PENDING', 'QUEUED', { at: T(0, 1) })
    await store.startAttempt('r-1', 'extract', T(0, 1))
    await store.transitionTask('r-1', 'extract', 'RUNNING', 'SUCCESS', {
      at: T(0, 2),
      outputs: {
        dataset: '/ws/r-1/extract.parquet',
        rows: 42,
        schema: ['id int64 not null', 'amount double'],
      },
    })
    await store.transitionTask('r-1', 'load', 'PENDING', 'QUEUED', { at: T(0, 2) })
    await store.startAttempt('r-1', 'load', T(0, 2))
    await store.transitionTask('r-1', 'load', 'RUNNING', 'SUCCESS', {
      at: T(0, 3),
      outputs: { rows: 40, rejected: 2, rejects_dataset: '/ws/r-1/load.rejects/data.parquet' },
    })
    const { datasets } = await json<{ datasets: ApiDataset[] }>('/api/v1/datasets')
    const staged = datasets.find((d) => d.name === 'orders.extract')!
    expect(staged.rejected).toBeNull()
    expect(datasets.find((d) => d.name === 'dw.orders')).toMatchObject({
      rejected: 2,
      rejects: [{ task: 'orders.load', rows: 2, path: '/ws/r-1/load.rejects/data.parquet' }],
    })
    expect(staged).toMatchObject({
      namespace: 'sluice',
      pipeline: 'orders',
      producer: 'extract',
      rows: 42,
      runId: 'r-1',
      writtenBy: ['orders.extract'],
    })
    expect(staged.fields.map((f) => [f.name, f.type, f.nullable])).toEqual([
      ['id', 'int64', false],
      ['amount', 'double', true],
    ])
    // the source table and the destination table are datasets too
    expect(datasets.map((d) => d.name)).toEqual(expect.arrayContaining(['orders', 'dw.orders']))
    expect(datasets.find((d) => d.name === 'dw.orders')!.writtenBy).toEqual(['orders.load'])
    expect(ORDERS.name).toBe('orders')
  })

  it('answers an empty schema before any run', async () => {
    const { datasets } = await json<{ datasets: ApiDataset[] }>('/api/v1/datasets')
    expect(datasets.find((d) => d.name === 'orders.extract')).toMatchObject({
      rows: null,
      runId: null,
      fields: [],
    })
    expect((await app.request('/api/v1/datasets?limit=1')).status).toBe(400)
  })
})

describe('the dashboard at /', () => {
  it('serves files with content types, caches hashed assets, and falls back to index.html', async () => {
    const assets = join(dir, `dash-${++n}`)
    mkdirSync(join(assets, 'assets'), { recursive: true })
    writeFileSync(join(assets, 'index.html'), '<!doctype html><div id="root"></div>')
    writeFileSync(join(assets, 'assets', 'index-abc123.js'), 'console.log(1)')
    writeFileSync(join(assets, 'assets', 'index-abc123.css'), 'body{}')
    writeFileSync(join(dir, 'secret.txt'), 'do not serve')
    app = createApi({ store, control: fakeControl(), version: 'x', dashboard: assets })

    const index = await app.request('/')
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toMatch(/^text\/html/)
    expect(index.headers.get('cache-control')).toBe('no-cache')
    const js = await app.request('/assets/index-abc123.js')
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(js.headers.get('cache-control')).toContain('immutable')
    expect(await js.text()).toBe('console.log(1)')
    expect((await app.request('/assets/index-abc123.css')).headers.get('content-type')).toMatch(
      /^text\/css/,
    )
    // client routes get the app shell; a missing hashed asset is a 404
    expect(await (await app.request('/runs/r-1/logs')).text()).toContain('id="root"')
    expect((await app.request('/assets/gone-123.js')).status).toBe(404)
    // no way out of the folder
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await app.request(p)
      expect(await r.text()).not.toContain('do not serve')
    }
    // the API keeps its JSON 404s and a mutating call its auth
    const api404 = await app.request('/api/v1/nope')
    expect(api404.status).toBe(404)
    expect(((await api404.json()) as { error: { code: string } }).error.code).toBe(
      'E_ROUTE_UNKNOWN',
    )
    expect((await app.request('/api/nope')).status).toBe(404)
    expect((await app.request('/', { method: 'POST' })).status).toBe(404)
  })

  it('says how to build the dashboard when it is not built', async () => {
    app = createApi({ store, control: fakeControl(), version: 'x', dashboard: join(dir, 'none') })
    const r = await app.request('/pipelines')
    expect(r.status).toBe(200)
    expect(await r.text()).toContain('npm run build:dashboard')
  })

  it('stays open for reads with a token, like the API', async () => {
    app = createApi({
      store,
      control: fakeControl(),
      version: 'x',
      token: 'tok-1',
      dashboard: join(dir, 'none'),
    })
    expect((await app.request('/')).status).toBe(200)
  })
})
