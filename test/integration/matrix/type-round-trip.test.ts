import { DuckDBInstance } from '@duckdb/node-api'
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ColumnType, TableSchema, Value } from '../../../src/data/column-type.js'
import type { ConnectionConfig } from '../../../src/data/connector-contract.js'
import { compilePipeline } from '../../../src/definition/compile-pipeline.js'
import { loadPipelineSpec } from '../../../src/definition/load-pipeline.js'
import { builtinConnectors, DataPlane } from '../../../src/engine/data-plane.js'
import { runPipeline, type RunResult } from '../../../src/engine/run-pipeline.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'

// A type round trip between every pair of PostgreSQL, MariaDB, SQLite, Parquet and JSONL, through
// the copy path (extract with destination:) and the staged path (extract → dataset → load), both
// run by runPipeline with a DataPlane. The destination is read back with the same connector's
// Source and compared value by value with what the source holds. Real servers; a server that is
// down fails the suite (never skips).

const PG_ADMIN = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const MY_HOST = process.env.SLUICE_TEST_MYSQL_HOST ?? '127.0.0.1'
const DB = `sluice_mx_${randomBytes(5).toString('hex')}`
const PG_URL = Object.assign(new URL(PG_ADMIN), { pathname: `/${DB}` }).toString()
const MY_URL = `mysql://root@${MY_HOST}:3306/${DB}`

const ENDPOINTS = ['postgres', 'mariadb', 'sqlite', 'parquet', 'jsonl'] as const
type Endpoint = (typeof ENDPOINTS)[number]
type Path = 'copy' | 'staged'

let ws: string
let store: SqliteStateStore
let plane: DataPlane
let pgAdminDone = false
let myAdmin: mysql.Connection | undefined
let runs = 0

// ---------------------------------------------------------------------------------------------
// The values: every source holds these five rows (id 1–5; column names avoid MySQL's DEC).
// ---------------------------------------------------------------------------------------------

const BIG_1 = 9007199254740993n // 2^53 + 1: a double would read 9007199254740992
const BIG_2 = -9223372036854775808n // int64 minimum
const AMOUNT_1 = '12345678901234567890123456789.123456789' // 38 digits, scale 9
const AMOUNT_2 = '-0.000000001'
const AT_1 = '2024-02-29T23:59:59.123456' // UTC wall time, microseconds
const AT_2 = '1970-01-01T00:00:00.000001'
const TXT_1 = 'żółć 日本語 🚀👩‍👩‍👧 𝄞 "quotes" \\ tab\there\nnewline' // 4-byte emoji, ZWJ, escapes
// JSON as written by the sources: compact, keys unsorted, a number beyond 2^53.
const DOC_1 = '{"b":1,"a":[1,2.5,"x"],"u":"🚀","n":null,"big":9007199254740993}'
const DOC_2 = '[1,"two",{"three":3}]'
// Row 3 is all NULL. Row 4: the other ends, COPY's NULL marker as text, and JSON's own null.
const BIG_3 = 9223372036854775807n
const AMOUNT_3 = '-99999999999999999999999999999.999999999'
const AT_3 = '1969-12-31T23:59:59.999999' // before the epoch: negative microseconds
const TXT_3 = '\\N'
const DOC_3 = 'null'
// Row 5: AT_1's instant written with a +02:00 offset in PostgreSQL, Parquet and JSONL, which
// normalise it to UTC (MariaDB and SQLite hold the UTC form; SQLite offsets: see the BUG test).
const AT_1_PLUS_2 = '2024-03-01T01:59:59.123456+02:00'
const AMOUNT_0 = '0.000000000'
const TXT_SPACE = ' '
const DOC_EMPTY = '{}'

/** The UTC instant as PostgreSQL reads it back ('…Z'). */
const utc = (wall: string): string => `${wall}Z`

/** What a connector may do to JSON text on the way in (asserted per destination below). */
const JSONB: Record<string, string> = {
  // PostgreSQL creates json columns as jsonb: keys sorted (by length, then bytes), ", " and ": ".
  [DOC_1]: '{"a": [1, 2.5, "x"], "b": 1, "n": null, "u": "🚀", "big": 9007199254740993}',
  [DOC_2]: '[1, "two", {"three": 3}]',
  [DOC_3]: 'null',
  [DOC_EMPTY]: '{}',
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

async function pgAdmin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 5000 })
  try {
    await c.connect()
  } catch (e) {
    throw new Error(`PostgreSQL is unreachable at ${PG_ADMIN}: ${String(e)}`)
  }
  try {
    await c.query(sql)
  } finally {
    await c.end()
  }
}

async function createPostgresSource(): Promise<void> {
  await pgAdmin(`CREATE DATABASE ${DB}`)
  pgAdminDone = true
  const c = new pg.Client({ connectionString: PG_URL })
  await c.connect()
  try {
    // json (not jsonb) keeps the source text as written; the +02 offset is normalised to UTC
    await c.query(`CREATE TABLE mx_src (id int PRIMARY KEY, big bigint, amount numeric(38,9),
      at timestamptz, txt text, doc json)`)
    await c.query(
      `INSERT INTO mx_src VALUES
        (1, $1, $2, '2024-03-01 01:59:59.123456+02', $3, $4),
        (2, $5, $6, '1970-01-01 00:00:00.000001+00', '', $7),
        (3, NULL, NULL, NULL, NULL, NULL),
        (4, $8, $9, '1970-01-01 00:59:59.999999+01', $10, $11),
        (5, 0, $12, $13, $14, $15)`,
      [BIG_1, AMOUNT_1, TXT_1, DOC_1, BIG_2, AMOUNT_2, DOC_2, BIG_3, AMOUNT_3, TXT_3, DOC_3]
        .concat([AMOUNT_0, AT_1_PLUS_2, TXT_SPACE, DOC_EMPTY])
        .map(String),
    )
  } finally {
    await c.end()
  }
}

async function createMariadbSource(): Promise<void> {
  try {
    myAdmin = await mysql.createConnection({ host: MY_HOST, port: 3306, user: 'root' })
  } catch (e) {
    throw new Error(`MariaDB/MySQL is unreachable at ${MY_HOST}:3306: ${String(e)}`)
  }
  await myAdmin.query(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await myAdmin.query(`USE \`${DB}\``)
  await myAdmin.query(`SET time_zone = '+00:00'`)
  // MariaDB has no timestamptz: DATETIME(6) holding the UTC wall time
  await myAdmin.query(`CREATE TABLE mx_src (id INT PRIMARY KEY, big BIGINT, amount DECIMAL(38,9),
    at DATETIME(6), txt LONGTEXT, doc JSON) CHARACTER SET utf8mb4`)
  await myAdmin.query(
    `INSERT INTO mx_src VALUES
      (1, ${BIG_1}, ${AMOUNT_1}, ?, ?, ?),
      (2, ${BIG_2}, ${AMOUNT_2}, ?, '', ?),
      (3, NULL, NULL, NULL, NULL, NULL),
      (4, ${BIG_3}, ${AMOUNT_3}, ?, ?, ?),
      (5, 0, ${AMOUNT_0}, ?, ?, ?)`,
    [AT_1, TXT_1, DOC_1, AT_2, DOC_2, AT_3, TXT_3, DOC_3, AT_1, TXT_SPACE, DOC_EMPTY].map((v) =>
      /^\d{4}-/.test(v) ? v.replace('T', ' ') : v,
    ),
  )
}

function createSqliteSource(path: string): void {
  const db = new Database(path)
  try {
    // the declared types sluice maps: DECIMAL TEXT and JSON TEXT keep text affinity
    db.exec(`CREATE TABLE mx_src (id INT PRIMARY KEY, big BIGINT, amount DECIMAL TEXT(38,9),
      at TIMESTAMPTZ, txt TEXT, doc JSON TEXT)`)
    const ins = db.prepare('INSERT INTO mx_src VALUES (?, ?, ?, ?, ?, ?)')
    ins.run(1, BIG_1, AMOUNT_1, utc(AT_1), TXT_1, DOC_1)
    ins.run(2, BIG_2, AMOUNT_2, utc(AT_2), '', DOC_2)
    ins.run(3, null, null, null, null, null)
    ins.run(4, BIG_3, AMOUNT_3, utc(AT_3), TXT_3, DOC_3)
    // normalised: an offset in SQLite text is not (see the BUG test at the end)
    ins.run(5, 0n, AMOUNT_0, utc(AT_1), TXT_SPACE, DOC_EMPTY)
  } finally {
    db.close()
  }
}

async function createParquetSource(path: string): Promise<void> {
  const duck = await DuckDBInstance.create(':memory:')
  const c = await duck.connect()
  try {
    await c.run(`SET TimeZone = 'UTC'`)
    const lit = (s: string) => `'${s.replaceAll("'", "''")}'`
    await c.run(`COPY (
      SELECT id::INTEGER AS id, big::BIGINT AS big, amount::DECIMAL(38,9) AS amount,
             "at"::TIMESTAMPTZ AS "at", txt::VARCHAR AS txt, doc::JSON AS doc
      FROM (VALUES
        (1, ${BIG_1}, ${lit(AMOUNT_1)}, ${lit(`${AT_1}+00`)}, ${lit(TXT_1)}, ${lit(DOC_1)}),
        (2, ${BIG_2}, ${lit(AMOUNT_2)}, ${lit(`${AT_2}+00`)}, '', ${lit(DOC_2)}),
        (3, NULL, NULL, NULL, NULL, NULL),
        (4, ${BIG_3}, ${lit(AMOUNT_3)}, ${lit(`${AT_3}+00`)}, ${lit(TXT_3)}, ${lit(DOC_3)}),
        (5, 0, ${lit(AMOUNT_0)}, ${lit(AT_1_PLUS_2)}, ${lit(TXT_SPACE)}, ${lit(DOC_EMPTY)})) AS t(id, big, amount, "at", txt, doc)
    ) TO ${lit(path)} (FORMAT parquet)`)
  } finally {
    c.closeSync()
    duck.closeSync()
  }
}

/** Written by hand: a decimal beyond a double as a JSON string, the JSON value nested. */
async function createJsonlSource(path: string): Promise<void> {
  const s = JSON.stringify
  await writeFile(
    path,
    [
      `{"id":1,"big":${BIG_1},"amount":${s(AMOUNT_1)},"at":${s(utc(AT_1))},"txt":${s(TXT_1)},"doc":${DOC_1}}`,
      `{"id":2,"big":${BIG_2},"amount":${s(AMOUNT_2)},"at":${s(utc(AT_2))},"txt":"","doc":${DOC_2}}`,
      `{"id":3,"big":null,"amount":null,"at":null,"txt":null,"doc":null}`,
      `{"id":4,"big":${BIG_3},"amount":${s(AMOUNT_3)},"at":${s(utc(AT_3))},"txt":${s(TXT_3)},"doc":${DOC_3}}`,
      `{"id":5,"big":0,"amount":${s(AMOUNT_0)},"at":${s(AT_1_PLUS_2)},"txt":${s(TXT_SPACE)},"doc":${DOC_EMPTY}}`,
    ].join('\n') + '\n',
  )
}

/** JSONL has no schema: the types are declared (decimal means decimal(38,9)). */
const jsonlColumns = (at: 'timestamp' | 'timestamptz' = 'timestamptz') => ({
  id: 'int32',
  big: 'int64',
  amount: 'decimal',
  at,
  txt: 'string',
  doc: 'json',
})

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'sluice-mx-'))
  await createPostgresSource()
  await createMariadbSource()
  createSqliteSource(join(ws, 'src.db'))
  await createParquetSource(join(ws, 'src.parquet'))
  await createJsonlSource(join(ws, 'src.jsonl'))
  store = await SqliteStateStore.open({ path: join(ws, 'state.db') })
  plane = new DataPlane(join(ws, 'workspace'))
}, 60_000)

afterAll(async () => {
  await plane?.close()
  await store?.close()
  if (ws) await rm(ws, { recursive: true, force: true })
  if (myAdmin) {
    await myAdmin.query(`DROP DATABASE IF EXISTS \`${DB}\``)
    await myAdmin.end()
  }
  if (pgAdminDone) await dropPostgresDatabase()
})

/**
 * DROP DATABASE waits for every backend of the server to absorb a ProcSignalBarrier; a session
 * of another process idling inside COPY FROM STDIN never does, and the drop would hang this hook.
 * Wait 40 s at most, then fail naming the blocking sessions (the drop stays queued server-side).
 */
async function dropPostgresDatabase(): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 5000 })
  await c.connect()
  let timer: NodeJS.Timeout | undefined
  try {
    const timeout = new Promise<'timeout'>((done) => {
      timer = setTimeout(() => done('timeout'), 40_000)
    })
    const drop = c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).then(() => 'done' as const)
    if ((await Promise.race([drop, timeout])) === 'done') return
    const probe = new pg.Client({ connectionString: PG_ADMIN })
    await probe.connect()
    const busy = await probe.query<{ pid: number; application_name: string; query: string }>(
      `SELECT pid, application_name, left(query, 100) AS query FROM pg_stat_activity
        WHERE wait_event = 'ClientRead' AND query ILIKE 'COPY%'`,
    )
    await probe.end()
    throw new Error(
      `DROP DATABASE ${DB} is blocked by other sessions: ${JSON.stringify(busy.rows)}`,
    )
  } finally {
    clearTimeout(timer)
    await c.end().catch(() => {})
  }
}

// ---------------------------------------------------------------------------------------------
// Sources, destinations and reading back
// ---------------------------------------------------------------------------------------------

const CONNECTIONS: Record<string, string> = {
  pg: '${env:MX_PG}',
  my: '${env:MX_MY}',
  lite_src: '${env:MX_LITE_SRC}',
  lite: '${env:MX_LITE}',
}

function sourceSpec(src: Endpoint): Record<string, unknown> {
  switch (src) {
    case 'postgres':
      return { connection: 'pg', table: 'mx_src' }
    case 'mariadb':
      return { connection: 'my', table: 'mx_src' }
    case 'sqlite':
      return { connection: 'lite_src', table: 'mx_src' }
    case 'parquet':
      return { path: join(ws, 'src.parquet') }
    case 'jsonl':
      return { path: join(ws, 'src.jsonl'), columns: jsonlColumns() }
  }
}

/** Where a pair writes: `tag` is the source endpoint (or another name for a one-off test). */
const tableOf = (tag: string, path: Path) => `mx_${tag}_${path}`
const fileOf = (tag: string, path: Path, ext: string) => join(ws, 'out', `${tag}-${path}.${ext}`)

function destinationSpec(src: string, dst: Endpoint, path: Path): Record<string, unknown> {
  const table = tableOf(src, path)
  switch (dst) {
    case 'postgres':
      return { connection: 'pg', table, mode: 'replace' }
    case 'mariadb':
      return { connection: 'my', table, mode: 'replace' }
    case 'sqlite':
      return { connection: 'lite', table, mode: 'replace' }
    case 'parquet':
      return { path: fileOf(src, path, 'parquet'), mode: 'replace' }
    case 'jsonl':
      return { path: fileOf(src, path, 'jsonl'), mode: 'replace' }
  }
}

/** The destination read back through the same connector's Source, rows sorted by id. */
async function readBack(
  src: string,
  dst: Endpoint,
  path: Path,
  jsonl: { at?: 'timestamp' | 'timestamptz'; amount?: string } = {},
): Promise<{ schema: TableSchema; rows: Value[][] }> {
  const registry = builtinConnectors()
  let conn: ConnectionConfig
  let options: Record<string, unknown>
  const table = tableOf(src, path)
  switch (dst) {
    case 'postgres':
      conn = { name: 'pg', url: PG_URL, options: {} }
      options = { table }
      break
    case 'mariadb':
      conn = { name: 'my', url: MY_URL, options: {} }
      options = { table }
      break
    case 'sqlite':
      conn = { name: 'lite', url: `sqlite:${join(ws, 'dst.db')}`, options: {} }
      options = { table }
      break
    case 'parquet':
      conn = { name: 'file', url: `file://${ws}`, options: {} }
      options = { path: fileOf(src, path, 'parquet') }
      break
    case 'jsonl':
      conn = { name: 'file', url: `file://${ws}`, options: {} }
      options = {
        path: fileOf(src, path, 'jsonl'),
        columns: {
          ...jsonlColumns(jsonl.at),
          amount: jsonl.amount ?? 'decimal',
        },
      }
      break
  }
  const source = registry.resolve(conn.url).createSource!(conn, options)
  const ctx = { signal: new AbortController().signal, batchRows: 1000, log: () => {} }
  try {
    const schema = await source.schema(ctx)
    const rows: Value[][] = []
    for await (const b of source.read(ctx)) rows.push(...b.rows.map((r) => [...r]))
    const id = schema.columns.findIndex((c) => c.name === 'id')
    rows.sort((a, b) => Number(a[id]) - Number(b[id]))
    return { schema, rows }
  } finally {
    await source.close()
  }
}

// ---------------------------------------------------------------------------------------------
// What each pair must read back, with every connector limitation spelled out
// ---------------------------------------------------------------------------------------------

/**
 * MariaDB has no timestamptz: a MariaDB source reads DATETIME(6) as `timestamp` (the UTC wall
 * time, no zone), and a MariaDB destination stores a timestamptz as DATETIME(6) in UTC, which
 * reads back as `timestamp`. Either way the pair keeps the UTC wall time, microseconds included,
 * and loses only the "this is UTC" marker.
 */
const zoneless = (src: Endpoint, dst: Endpoint) => src === 'mariadb' || dst === 'mariadb'

function expectedSchema(src: Endpoint, dst: Endpoint): [string, ColumnType][] {
  return [
    ['id', { kind: 'int32' }],
    ['big', { kind: 'int64' }],
    ['amount', { kind: 'decimal', precision: 38, scale: 9 }],
    ['at', { kind: zoneless(src, dst) ? 'timestamp' : 'timestamptz' }],
    ['txt', { kind: 'string' }],
    ['doc', { kind: 'json' }],
  ]
}

/**
 * LIMITATION (file format JSONL): JSON has one null, so a JSON `null` value and SQL NULL are the
 * same in a JSONL file: the source reads `"doc":null` as NULL, and the destination writes a json
 * value `null` as `"doc":null`, which reads back as NULL.
 */
const jsonNullIsNull = (src: Endpoint, dst: Endpoint) => src === 'jsonl' || dst === 'jsonl'

function expectedRows(src: Endpoint, dst: Endpoint): Value[][] {
  const at = (wall: string) => (zoneless(src, dst) ? wall : utc(wall))
  // JSON text: PostgreSQL stores jsonb (normalised text); every other destination keeps the text.
  const doc = (text: string) => (dst === 'postgres' ? JSONB[text]! : text)
  return [
    [1, BIG_1, AMOUNT_1, at(AT_1), TXT_1, doc(DOC_1)],
    [2, BIG_2, AMOUNT_2, at(AT_2), '', doc(DOC_2)],
    [3, null, null, null, null, null],
    [4, BIG_3, AMOUNT_3, at(AT_3), TXT_3, jsonNullIsNull(src, dst) ? null : doc(DOC_3)],
    [5, 0n, AMOUNT_0, at(AT_1), TXT_SPACE, doc(DOC_EMPTY)],
  ]
}

/**
 * JSONL destination: decimals are written as JSON strings (JSON readers, DuckDB's included, parse
 * numbers as doubles), so a declared `decimal` reads them back exactly; big integers stay numbers.
 */
async function checkJsonlDestination(src: Endpoint, path: Path, where: string): Promise<void> {
  const at = zoneless(src, 'jsonl') ? 'timestamp' : 'timestamptz'
  const { schema, rows } = await readBack(src, 'jsonl', path, { at })
  expect(
    schema.columns.map((c) => [c.name, c.type]),
    where,
  ).toEqual(expectedSchema(src, 'jsonl'))
  expect(rows, where).toEqual(expectedRows(src, 'jsonl'))
  const text = await readFile(fileOf(src, path, 'jsonl'), 'utf8')
  for (const exact of [AMOUNT_1, AMOUNT_2, AMOUNT_3]) expect(text, where).toContain(`:"${exact}"`)
  for (const exact of [BIG_1, BIG_2, BIG_3]) expect(text, where).toContain(`:${exact},`)
}

async function runTasks(name: string, tasks: Record<string, unknown>): Promise<RunResult> {
  const runId = `mx${++runs}`
  const loaded = loadPipelineSpec(
    { name, connections: CONNECTIONS, tasks },
    {
      run: { runId },
      displayName: join(ws, `${name}.yaml`),
      env: {
        MX_PG: PG_URL,
        MX_MY: MY_URL,
        MX_LITE_SRC: `sqlite:${join(ws, 'src.db')}`,
        MX_LITE: `sqlite:${join(ws, 'dst.db')}`,
      },
    },
  )
  expect(loaded.issues.filter((i) => i.severity === 'error')).toEqual([])
  return runPipeline(compilePipeline(loaded), { store, runId, dataPlane: plane })
}

/** The copy path (`copy`) and the staged path (`ext` → `load`) from src to dst. */
async function runPair(src: Endpoint, dst: Endpoint): Promise<void> {
  const result = await runTasks(`mx_${src}_${dst}`, {
    copy: {
      type: 'extract',
      source: sourceSpec(src),
      destination: destinationSpec(src, dst, 'copy'),
    },
    ext: { type: 'extract', source: sourceSpec(src) },
    load: { type: 'load', depends_on: ['ext'], destination: destinationSpec(src, dst, 'staged') },
  })
  expect(result.state, JSON.stringify(result.tasks)).toBe('SUCCESS')
  expect(result.tasks.copy!.outputs).toMatchObject({ rows: 5 })
  expect(result.tasks.load!.outputs).toMatchObject({ rows: 5 })
}

describe.each(ENDPOINTS)('type round trip from %s', (src) => {
  it.each(ENDPOINTS)(`${src} → %s, copy and staged`, async (dst) => {
    await runPair(src, dst)
    for (const path of ['copy', 'staged'] as const) {
      const where = `${src} → ${dst} (${path})`
      if (dst === 'jsonl') {
        await checkJsonlDestination(src, path, where)
        continue
      }
      const { schema, rows } = await readBack(src, dst, path, {
        at: zoneless(src, dst) ? 'timestamp' : 'timestamptz',
      })
      expect(
        schema.columns.map((c) => [c.name, c.type]),
        where,
      ).toEqual(expectedSchema(src, dst))
      expect(rows, where).toEqual(expectedRows(src, dst))
      // the UTC instant, whichever way it is written
      const at = schema.columns.findIndex((c) => c.name === 'at')
      expect(new Date(`${String(rows[0]![at]).replace(/Z?$/, 'Z')}`).toISOString(), where).toBe(
        '2024-02-29T23:59:59.123Z',
      )
    }
  })
})

/**
 * A SQLite table written by another program may hold timestamptz text with a UTC offset (SQLite's
 * documented `YYYY-MM-DDTHH:MM:SS.SSS+HH:MM`) or in SQLite's own `YYYY-MM-DD HH:MM:SS` form. The
 * SQLite source normalises both to `…Z`, and the DuckDB appender normalises any offset it is
 * given, so every path keeps the instant. (Both were found by this matrix and fixed.)
 */
describe('timestamptz text with a UTC offset in a SQLite source', () => {
  it('keeps the instant on every path and into every destination', async () => {
    const path = join(ws, 'offset.db')
    const lite = new Database(path)
    lite.exec('CREATE TABLE mx_off (id INT PRIMARY KEY, at TIMESTAMPTZ)')
    lite.prepare('INSERT INTO mx_off VALUES (?, ?)').run(1, AT_1_PLUS_2)
    lite.prepare('INSERT INTO mx_off VALUES (?, ?)').run(2, AT_1.replace('T', ' '))
    lite.close()
    const source = { connection: 'lite_off', table: 'mx_off' }
    CONNECTIONS.lite_off = `sqlite:${path}`
    const tasks: Record<string, unknown> = { ext: { type: 'extract', source } }
    for (const dst of ENDPOINTS) {
      tasks[`copy_${dst}`] = {
        type: 'extract',
        source,
        destination: destinationSpec('off', dst, 'copy'),
      }
      tasks[`load_${dst}`] = {
        type: 'load',
        depends_on: ['ext'],
        destination: destinationSpec('off', dst, 'staged'),
      }
    }
    const result = await runTasks('mx_sqlite_offset', tasks)
    delete CONNECTIONS.lite_off

    for (const [id, t] of Object.entries(result.tasks))
      expect(t.state, `${id}: ${JSON.stringify(t.error)}`).toBe('SUCCESS')
    const ds = await plane.datasets()
    const staged: Value[][] = []
    for await (const b of ds.read(result.runId, 'ext')) staged.push(...b.rows.map((r) => [...r]))
    expect(staged).toEqual([
      [1, utc(AT_1)],
      [2, utc(AT_1)],
    ])
    const at = async (dst: Endpoint, p: Path) =>
      (await readBack('off', dst, p, { at: dst === 'mariadb' ? 'timestamp' : 'timestamptz' })).rows
    for (const dst of ENDPOINTS)
      for (const p of ['copy', 'staged'] as const) {
        const want = dst === 'mariadb' ? AT_1 : utc(AT_1) // MariaDB keeps the UTC wall time
        expect(await at(dst, p), `${dst} ${p}`).toEqual([
          [1, want],
          [2, want],
        ])
      }
  })
})
