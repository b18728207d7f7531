import { createWriteStream } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileSource } from '../../../../src/connectors/file/file-source.js'
import { PostgresDestination } from '../../../../src/connectors/postgres/postgres-destination.js'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import type { WriteMode } from '../../../../src/data/connector-contract.js'
import { duckdbCsvStream } from '../../../../src/data/duckdb/duckdb-csv-stream.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { compilePipeline } from '../../../../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../../../../src/definition/load-pipeline.js'
import { DataPlane } from '../../../../src/engine/data-plane.js'
import { RunEvents } from '../../../../src/engine/run-events.js'
import { runPipeline } from '../../../../src/engine/run-pipeline.js'
import { SqliteStateStore } from '../../../../src/state/sqlite/sqlite-state-store.js'
import { readCtx, useTestDatabase, writeCtx } from './pg-test-database.js'

// The CSV fast path (FileSource.bulkCsv → PostgresDestination.writeCsv): DuckDB writes CSV into a
// named pipe that is COPYed into PostgreSQL; it must give the same table as the row path.
const db = useTestDatabase()
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-bulk-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const HARD_CSV = [
  'id,name,note,big,price,at,at_tz,ok,day',
  '1,plain,"",9007199254740993,12.345000001,2024-01-02 03:04:05.123456,2024-01-02T03:04:05+02:00,true,2024-02-29',
  '2,"Zoë ✓ 日本語 🎉",,-9223372036854775808,-0.000000001,1970-01-01 00:00:00,1970-01-01T00:00:00Z,false,1900-01-01',
  '3,"quote "" inside","comma, inside",9223372036854775807,99999999999999999999.5,2262-04-11 23:47:16,2030-06-30T23:59:59.999999-05:30,,',
  '4,"line\nbreak","crlf\r\ninside",0,0,,,true,2024-01-01',
  '5," spaced ","\\N",,,2000-01-01 12:00:00,,false,',
  '6,"tab\there","back\\slash",42,1.5,1999-12-31 23:59:59.999999,1999-12-31T23:59:59.999999Z,true,1999-12-31',
].join('\n')

async function csvFile(name: string, text: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}

function source(path: string, extra: Record<string, unknown> = {}): FileSource {
  return new FileSource(
    { path, columns: { price: 'decimal' }, ...extra },
    { engineOptions: { workspaceDir: dir, memoryLimit: '100MB' } },
  )
}

async function loadFast(
  path: string,
  table: string,
  mode: WriteMode = 'append',
  extra: Record<string, unknown> = {},
): Promise<number> {
  const src = source(path, extra)
  const dest = new PostgresDestination(db.conn(), { table, keys: ['id'] })
  try {
    const bulk = await src.bulkCsv(readCtx())
    if (!bulk) throw new Error('no bulk path')
    const r = await dest.writeCsv(writeCtx(bulk.schema, { mode }), bulk.stream)
    return r.rowsWritten
  } finally {
    await dest.close()
    await src.close()
  }
}

async function loadRows(
  path: string,
  table: string,
  mode: WriteMode = 'append',
  extra: Record<string, unknown> = {},
): Promise<number> {
  const src = source(path, extra)
  const dest = new PostgresDestination(db.conn(), { table, keys: ['id'] })
  try {
    const ctx = readCtx()
    const r = await dest.write(writeCtx(await src.schema(ctx), { mode }), src.read(ctx))
    return r.rowsWritten
  } finally {
    await dest.close()
    await src.close()
  }
}

/** The table as text, row by row, and its column types. */
async function snapshot(table: string): Promise<{ rows: string[]; types: string[] }> {
  const rows = await db.sql<{ t: string }>(`SELECT t::text AS t FROM ${table} t ORDER BY id`)
  const types = await db.sql<{ c: string }>(
    `SELECT attname || ' ' || format_type(atttypid, atttypmod) AS c FROM pg_attribute
      WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [table],
  )
  return { rows: rows.map((r) => r.t), types: types.map((r) => r.c) }
}

async function fifoDirsLeft(): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.startsWith('sluice-csv-'))
}

describe('the CSV fast path into PostgreSQL', () => {
  it('gives the same table as the row path for hard values (new table: straight COPY)', async () => {
    const path = await csvFile('hard.csv', HARD_CSV)
    expect(await loadFast(path, 'hard_fast')).toBe(6)
    expect(await loadRows(path, 'hard_rows')).toBe(6)
    const fast = await snapshot('hard_fast')
    expect(fast).toEqual(await snapshot('hard_rows'))
    expect(fast.rows).toHaveLength(6)
    const r = await db.sql<Record<string, unknown>>(
      `SELECT id, name, note, big::text AS big, price::text AS price, at::text AS at,
              at_tz AT TIME ZONE 'UTC' AS at_utc, ok, day::text AS day
         FROM hard_fast ORDER BY id`,
    )
    expect(r[0]).toMatchObject({ note: '', big: '9007199254740993', price: '12.345000001' })
    // without a null token an empty text field is '' (file source rule); typed ones are NULL
    expect(r[1]).toMatchObject({ name: 'Zoë ✓ 日本語 🎉', note: '', big: '-9223372036854775808' })
    expect(r[2]).toMatchObject({ name: 'quote " inside', note: 'comma, inside', ok: null })
    expect(r[2]!.price).toBe('99999999999999999999.500000000')
    expect(r[3]).toMatchObject({ name: 'line\nbreak', note: 'crlf\r\ninside', at: null })
    expect(r[4]).toMatchObject({ name: ' spaced ', note: '\\N', big: null, price: null })
    expect(r[5]).toMatchObject({ name: 'tab\there', note: 'back\\slash' })
    expect(r[0]!.at).toBe('2024-01-02 03:04:05.123456')
    expect((r[0]!.at_utc as Date).toISOString()).toBe('2024-01-02T01:04:05.000Z')
    expect(await fifoDirsLeft()).toEqual([])
  })

  it('gives the same table through the staging table (merge, truncate_insert, evolve)', async () => {
    const path = await csvFile('hard2.csv', HARD_CSV)
    for (const [table, load] of [
      ['stage_fast', loadFast],
      ['stage_rows', loadRows],
    ] as const) {
      await db.sql(`CREATE TABLE ${table} (id bigint PRIMARY KEY, name text)`)
      await db.sql(`INSERT INTO ${table} VALUES (1, 'old'), (99, 'kept')`)
      expect(await load(path, table, 'merge')).toBe(6) // adds the other columns, upserts 1
    }
    expect(await snapshot('stage_fast')).toEqual(await snapshot('stage_rows'))
    expect((await snapshot('stage_fast')).rows).toHaveLength(7)
    await loadFast(path, 'stage_fast', 'truncate_insert')
    await loadRows(path, 'stage_rows', 'truncate_insert')
    expect(await snapshot('stage_fast')).toEqual(await snapshot('stage_rows'))
    expect(await snapshot('stage_fast')).toEqual(await snapshot('hard_fast'))
  })

  it('appends straight into an existing table of the same types, keeping its rows', async () => {
    const path = await csvFile('hard3.csv', HARD_CSV)
    await loadFast(path, 'direct_append')
    await db.sql(`UPDATE direct_append SET id = id + 100`)
    const logs: string[] = []
    const src = source(path)
    const dest = new PostgresDestination(db.conn(), { table: 'direct_append' })
    try {
      const bulk = (await src.bulkCsv(readCtx()))!
      await dest.writeCsv({ ...writeCtx(bulk.schema), log: (t) => logs.push(t) }, bulk.stream)
    } finally {
      await dest.close()
      await src.close()
    }
    expect(logs.join('\n')).toMatch(/copied 6 rows into/)
    expect(await db.sql(`SELECT count(*)::int AS n FROM direct_append`)).toEqual([{ n: 12 }])
  })

  it('an abort mid-COPY leaves the table unchanged and stops DuckDB', async () => {
    const path = join(dir, 'many.csv')
    const out = createWriteStream(path)
    out.write('id,name,amount\n')
    for (let i = 0; i < 400_000; i++) out.write(`${i},name ${i},${i * 0.5}\n`)
    await new Promise((r) => out.end(r))
    for (const [table, mode] of [
      ['abort_direct', 'append'],
      ['abort_staged', 'truncate_insert'],
    ] as const) {
      await db.sql(`CREATE TABLE ${table} (id bigint, name text, amount double precision)`)
      await db.sql(`INSERT INTO ${table} VALUES (-1, 'before', 0)`)
      const ac = new AbortController()
      const src = new FileSource({ path }, { engineOptions: { workspaceDir: dir, threads: 1 } })
      const dest = new PostgresDestination(db.conn(), { table })
      const poll = setInterval(() => {
        db.sql<{ n: string }>(`SELECT tuples_processed AS n FROM pg_stat_progress_copy`)
          .then((r) => {
            if (Number(r[0]?.n ?? 0) > 0) ac.abort()
          })
          .catch(() => {})
      }, 5)
      try {
        const bulk = (await src.bulkCsv({ ...readCtx(), signal: ac.signal }))!
        const write = dest.writeCsv(writeCtx(bulk.schema, { mode, signal: ac.signal }), bulk.stream)
        const e = await write.then(
          () => undefined,
          (x: unknown) => x,
        )
        expect(ac.signal.aborted).toBe(true)
        expect(e).toBeInstanceOf(SluiceError)
        expect((e as SluiceError).code).toBe('E_CANCELLED')
      } finally {
        clearInterval(poll)
        await dest.close()
        const t0 = Date.now()
        await src.close() // waits for DuckDB to let go of the pipe
        expect(Date.now() - t0).toBeLessThan(5000)
      }
      expect(await db.sql(`SELECT id, name FROM ${table}`)).toEqual([{ id: '-1', name: 'before' }])
      expect(await fifoDirsLeft()).toEqual([])
    }
  })

  it('a malformed CSV fails with its file and line, and the table stays as it was', async () => {
    const path = await csvFile(
      'bad.csv',
      'id,name,price\n1,a,1.5\n2,b,2.5\n3,c,3.5,extra\n4,d,4.5\n',
    )
    await db.sql(`CREATE TABLE bad_fast (id bigint, name text, price numeric(38,9))`)
    const e = await loadFast(path, 'bad_fast').then(
      () => undefined,
      (x: unknown) => x,
    )
    expect(e).toBeInstanceOf(SluiceError)
    expect((e as SluiceError).message).toMatch(/bad\.csv:4\b/)
    expect((e as SluiceError).retryable).toBe(false)
    expect(await db.sql(`SELECT count(*)::int AS n FROM bad_fast`)).toEqual([{ n: 0 }])
    // the row path says the same
    const r = await loadRows(path, 'bad_rows').then(
      () => undefined,
      (x: unknown) => x,
    )
    expect((r as SluiceError).message).toBe((e as SluiceError).message)
    // on_error: skip loads the good lines on both paths
    expect(await loadFast(path, 'bad_fast', 'append', { on_error: 'skip' })).toBe(3)
    expect(await snapshot('bad_fast')).toEqual(
      await (async () => {
        await loadRows(path, 'bad_rows', 'append', { on_error: 'skip' })
        return snapshot('bad_rows')
      })(),
    )
    expect(await fifoDirsLeft()).toEqual([])
  })

  it('keeps NULL and empty text apart with a null token', async () => {
    const path = await csvFile(
      'nulls.csv',
      'id,name,note\n1,NULL,""\n2,"",NULL\n3,"NULL",x\n4,,"a\nb"\n',
    )
    await loadFast(path, 'nulls_fast', 'append', { csv: { null: 'NULL' } })
    await loadRows(path, 'nulls_rows', 'append', { csv: { null: 'NULL' } })
    const fast = await snapshot('nulls_fast')
    expect(fast).toEqual(await snapshot('nulls_rows'))
    expect(
      await db.sql(
        `SELECT id, name, name IS NULL AS n1, note, note IS NULL AS n2 FROM nulls_fast ORDER BY id`,
      ),
    ).toEqual([
      { id: '1', name: null, n1: true, note: '', n2: false },
      { id: '2', name: '', n1: false, note: null, n2: true },
      { id: '3', name: 'NULL', n1: false, note: 'x', n2: false }, // quoted: text
      { id: '4', name: '', n1: false, note: 'a\nb', n2: false },
    ])
  })

  it('a DuckDB error while rows stream fails the COPY and leaves the table unchanged', async () => {
    await db.sql(`CREATE TABLE mid_fail (i bigint)`)
    await db.sql(`INSERT INTO mid_fail VALUES (-1)`)
    const engine = await DuckDBEngine.open({ threads: 1 })
    const dest = new PostgresDestination(db.conn(), { table: 'mid_fail' })
    try {
      const sql = `SELECT CASE WHEN i < 300000 THEN i ELSE error('boom at ' || i) END AS i
                     FROM range(1000000) t(i)`
      const csv = (await duckdbCsvStream(engine, sql, await engine.schemaOf(sql), {
        signal: new AbortController().signal,
        tempDir: dir,
      }))!
      const e = await dest.writeCsv(writeCtx(csv.schema), csv.stream).then(
        () => undefined,
        (x: unknown) => x,
      )
      expect(e).toBeInstanceOf(SluiceError)
      expect((e as SluiceError).message).toMatch(/boom at 300000/)
      await csv.closed
    } finally {
      await dest.close()
      await engine.close()
    }
    expect(await db.sql(`SELECT i FROM mid_fail`)).toEqual([{ i: '-1' }])
    expect(await fifoDirsLeft()).toEqual([])
  })
})

describe('the extract and load executors choose the fast path', () => {
  let ws: string
  let store: SqliteStateStore
  beforeAll(async () => {
    ws = await mkdtemp(join(tmpdir(), 'sluice-bulk-run-'))
    store = await SqliteStateStore.open({ path: join(ws, 'state.db') })
  })
  afterAll(async () => {
    await store.close()
    await rm(ws, { recursive: true, force: true })
  })

  async function run(yaml: string, runId: string): Promise<{ state: string; logs: string[] }> {
    const loaded = loadPipelineText(yaml, {
      run: { runId },
      displayName: join(dir, 'p.yaml'),
      env: { WH: db.url() },
    })
    const events = new RunEvents()
    const logs: string[] = []
    events.on('task:log', (e) => logs.push(`${e.taskId}: ${e.text}`))
    const plane = new DataPlane(ws)
    try {
      const r = await runPipeline(compilePipeline(loaded), {
        store,
        runId,
        events,
        dataPlane: plane,
      })
      return { state: r.state, logs }
    } finally {
      await plane.close()
    }
  }

  it('extract with destination, and extract → sql → load, give the row-path table', async () => {
    await csvFile('exec.csv', HARD_CSV)
    const yaml = `name: bulk
connections: { wh: "\${env:WH}" }
tasks:
  copy:
    type: extract
    source: { path: exec.csv, columns: { price: decimal } }
    destination: { connection: wh, table: exec_copy }
  ext:
    type: extract
    source: { path: exec.csv, columns: { price: decimal } }
  flt: { type: sql, depends_on: [ext], sql: "select * from ext where id > 0" }
  load:
    type: load
    depends_on: [flt]
    destination: { connection: wh, table: exec_load }
  rows:
    type: extract
    source: { path: exec.csv, columns: { price: decimal }, on_error: quarantine }
    destination: { connection: wh, table: exec_rows }
`
    const r = await run(yaml, 'bulk-1')
    expect(r.state).toBe('SUCCESS')
    const text = r.logs.join('\n')
    expect(text).toMatch(/copy: streaming DuckDB CSV into the destination/)
    expect(text).toMatch(/load: streaming the dataset as CSV/)
    expect(text).not.toMatch(/rows: streaming/)
    const rows = await snapshot('exec_rows')
    expect(rows.rows).toHaveLength(6)
    expect(await snapshot('exec_copy')).toEqual(rows)
    expect(await snapshot('exec_load')).toEqual(rows)
  })
})
