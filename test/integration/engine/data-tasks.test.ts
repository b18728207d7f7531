import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compilePipeline } from '../../../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../../../src/definition/load-pipeline.js'
import { DataPlane } from '../../../src/engine/data-plane.js'
import { runPipeline, type RunResult } from '../../../src/engine/run-pipeline.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'
import { useTestDatabase } from '../../helpers/pg-test-database.js'

// extract and load tasks end to end: files, the real PostgreSQL, DuckDB datasets, SQLite state.
const pg = useTestDatabase('sluice_data')
let ws: string
let store: SqliteStateStore
let n = 0

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'sluice-data-'))
  store = await SqliteStateStore.open({ path: join(ws, 'state.db') })
})
afterAll(async () => {
  await store.close()
  await rm(ws, { recursive: true, force: true })
})

async function run(yaml: string): Promise<RunResult> {
  const runId = `r${++n}`
  const loaded = loadPipelineText(yaml, {
    run: { runId },
    displayName: join(ws, 'p.yaml'),
    env: { WH: pg.url() },
  })
  const plane = new DataPlane(ws)
  try {
    return await runPipeline(compilePipeline(loaded), { store, runId, dataPlane: plane })
  } finally {
    await plane.close()
  }
}

const count = async (table: string) =>
  Number((await pg.sql<{ n: number }>(`select count(*)::int as n from ${table}`))[0]!.n)

describe('extract and load tasks', () => {
  it('CSV → dataset → PostgreSQL merge, twice: same rows, no duplicates', async () => {
    const rows = Array.from(
      { length: 1000 },
      (_, i) => `${i + 1},name ${i},${(i * 1.25).toFixed(2)}`,
    )
    await writeFile(join(ws, 'people.csv'), `id,name,score\n${rows.join('\n')}\n`)
    const yaml = `name: csv_pg
connections: { wh: "\${env:WH}" }
tasks:
  people: { type: extract, source: { path: people.csv } }
  save: { type: load, depends_on: [people], destination: { connection: wh, table: people, mode: merge, keys: [id] } }
`
    const first = await run(yaml)
    expect(first.state, JSON.stringify(first.tasks)).toBe('SUCCESS')
    expect(await count('people')).toBe(1000)
    const second = await run(yaml)
    expect(second.state).toBe('SUCCESS')
    expect(await count('people')).toBe(1000)
    const row = (await pg.sql('select name, score from people where id = 1000'))[0]
    expect(row).toEqual({ name: 'name 999', score: 1248.75 })
  })

  it('incremental PostgreSQL → PostgreSQL copy loads only new rows, equal timestamps included', async () => {
    await pg.sql('create table src (id int primary key, at timestamptz not null, v text)')
    await pg.sql(
      `insert into src select g, timestamptz '2026-01-01' + (g / 10) * interval '1 minute', 'v' || g from generate_series(1, 1000) g`,
    )
    const yaml = `name: pg_pg
connections: { wh: "\${env:WH}" }
tasks:
  copy:
    type: extract
    source: { connection: wh, table: src, incremental: { column: at }, keys: [id] }
    destination: { connection: wh, table: dst, mode: append }
`
    const first = await run(yaml)
    expect(first.state, JSON.stringify(first.tasks)).toBe('SUCCESS')
    expect(await count('dst')).toBe(1000)
    // new rows, some sharing the last timestamp already loaded
    await pg.sql(
      `insert into src select g, timestamptz '2026-01-01' + 100 * interval '1 minute', 'late' || g from generate_series(1001, 1005) g`,
    )
    await pg.sql(
      `insert into src select g, timestamptz '2026-01-02', 'new' || g from generate_series(1006, 1500) g`,
    )
    const second = await run(yaml)
    expect(second.state).toBe('SUCCESS')
    expect(second.tasks.copy!.outputs).toMatchObject({ rows: 500 })
    expect(await count('dst')).toBe(1500)
    const diff = await pg.sql(
      '(select * from src except select * from dst) union all (select * from dst except select * from src)',
    )
    expect(diff).toEqual([])
  })

  it('a staged incremental extract commits its watermark with the load, in the destination', async () => {
    await pg.sql('create table events (id bigint primary key, payload text)')
    await pg.sql(`insert into events select g, 'p' || g from generate_series(1, 300) g`)
    const yaml = `name: staged
connections: { wh: "\${env:WH}" }
tasks:
  ev: { type: extract, source: { connection: wh, table: events, incremental: { column: id } } }
  put: { type: load, depends_on: [ev], destination: { connection: wh, table: events_copy, mode: append } }
`
    expect((await run(yaml)).state).toBe('SUCCESS')
    await pg.sql(`insert into events select g, 'p' || g from generate_series(301, 350) g`)
    const second = await run(yaml)
    expect(second.tasks.ev!.outputs).toMatchObject({ rows: 50 })
    expect(await count('events_copy')).toBe(350)
    const state = await pg.sql(`select key from _sluice_state where pipeline = 'staged'`)
    expect(state).toEqual([{ key: 'ev' }])
  })

  it('a watermark carries through a sql task: extract → sql → load reads only new rows', async () => {
    await pg.sql('create table clicks (id bigint primary key, page text)')
    await pg.sql(`insert into clicks select g, 'p' || (g % 3) from generate_series(1, 90) g`)
    const yaml = `name: carried
connections: { wh: "\${env:WH}" }
tasks:
  ck: { type: extract, source: { connection: wh, table: clicks, incremental: { column: id } } }
  shaped: { type: sql, depends_on: [ck], sql: "select id, upper(page) as page from ck" }
  put: { type: load, depends_on: [shaped], destination: { connection: wh, table: clicks_copy } }
`
    const first = await run(yaml)
    expect(first.state, JSON.stringify(first.tasks)).toBe('SUCCESS')
    expect(first.tasks.ck!.outputs).toMatchObject({ watermark: { value: '90' } })
    expect(first.tasks.shaped!.outputs).toMatchObject({
      watermark: { value: '90' },
      watermark_key: 'ck',
    })
    await pg.sql(`insert into clicks select g, 'p' || (g % 3) from generate_series(91, 100) g`)
    const second = await run(yaml)
    expect(second.tasks.ck!.outputs).toMatchObject({ rows: 10 })
    expect(await count('clicks_copy')).toBe(100)
    const state = await pg.sql(`select key from _sluice_state where pipeline = 'carried'`)
    expect(state).toEqual([{ key: 'ck' }])
  })
})
