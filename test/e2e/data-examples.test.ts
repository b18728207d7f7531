import { DuckDBInstance } from '@duckdb/node-api'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot, sluiceCli, type CliResult } from '../helpers/sluice-cli.js'

// The data examples run with the real CLI, as their READMEs say, against fresh databases on the
// local servers (PostgreSQL 127.0.0.1:5432, MariaDB/MySQL 127.0.0.1:3306). The pipelines read
// their connection URLs from PG_URL and MYSQL_URL, set here for the CLI child processes.

const PG_ADMIN = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const MY_HOST = process.env.SLUICE_TEST_MYSQL_HOST ?? '127.0.0.1'
const DB = `sluice_ex_${randomBytes(5).toString('hex')}`
const PG_URL = Object.assign(new URL(PG_ADMIN), { pathname: `/${DB}` }).toString()
const MYSQL_URL = `mysql://root@${MY_HOST}:3306/${DB}`

let ws: string
let db: pg.Client | undefined
let my: mysql.Connection | undefined
let pgCreated = false
const saved = { PG_URL: process.env.PG_URL, MYSQL_URL: process.env.MYSQL_URL }

const sluice = (args: string[]) => sluiceCli(args, { workspace: ws })
const example = (name: string) => `examples/${name}/pipeline.yaml`

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

/**
 * DROP DATABASE waits until every backend of the server absorbs a ProcSignalBarrier; a session of
 * another process idling inside COPY FROM STDIN never does. Give up after 40 s and say so, rather
 * than hang the hook (the drop stays queued on the server and completes once the session ends).
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

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'sluice-data-examples-'))
  await pgAdmin(`CREATE DATABASE ${DB}`)
  pgCreated = true
  db = new pg.Client({ connectionString: PG_URL })
  await db.connect()
  try {
    my = await mysql.createConnection({ host: MY_HOST, port: 3306, user: 'root' })
  } catch (e) {
    throw new Error(`MariaDB/MySQL is unreachable at ${MY_HOST}:3306: ${String(e)}`)
  }
  await my.query(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  process.env.PG_URL = PG_URL
  process.env.MYSQL_URL = MYSQL_URL
}, 60_000)

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  await db?.end()
  if (my) {
    await my.query(`DROP DATABASE IF EXISTS \`${DB}\``)
    await my.end()
  }
  if (ws) await rm(ws, { recursive: true, force: true })
  if (pgCreated) await dropPostgresDatabase()
}, 60_000)

/** The run id of a successful `sluice run`, failing with its output otherwise. */
function succeeded(r: CliResult, pipeline: string): string {
  expect(r.code, `${r.out}\n${r.err}`).toBe(0)
  const m = new RegExp(`run (${pipeline}-\\S+) SUCCESS`).exec(r.out)
  expect(m, r.out).not.toBeNull()
  return m![1]!
}

/** rows_out of a task's last attempt, from `sluice show RUN_ID --json`. */
async function rowsOut(runId: string, taskId: string): Promise<number> {
  const shown = await sluice(['show', runId, '--json'])
  expect(shown.code, shown.err).toBe(0)
  const run = JSON.parse(shown.out) as {
    state: string
    tasks: { taskId: string; attempts: { rowsOut: number | null }[] }[]
  }
  expect(run.state).toBe('SUCCESS')
  const attempts = run.tasks.find((t) => t.taskId === taskId)!.attempts
  return attempts[attempts.length - 1]!.rowsOut ?? 0
}

const count = async (table: string) =>
  Number((await db!.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n)

async function runSqlFile(path: string): Promise<void> {
  // several statements: the simple query protocol runs them like psql -f
  await db!.query(await readFile(join(repoRoot, path), 'utf8'))
}

describe('data examples run as their READMEs say', () => {
  it('csv-to-postgres: 300 rows, then a merge updates 20 and inserts 10', async () => {
    const first = succeeded(await sluice(['run', example('csv-to-postgres')]), 'csv_to_postgres')
    expect(await rowsOut(first, 'save')).toBe(300)
    expect(await count('customers')).toBe(300)
    const one = await db!.query(
      'SELECT name, lifetime_value, signup_date::text FROM customers WHERE id = 1',
    )
    expect(one.rows).toEqual([
      { name: 'Emma García', lifetime_value: '2477.180000000', signup_date: '2024-04-30' },
    ])

    // the same file again: merge changes nothing
    succeeded(await sluice(['run', example('csv-to-postgres')]), 'csv_to_postgres')
    expect(await count('customers')).toBe(300)

    const update = succeeded(
      await sluice([
        'run',
        example('csv-to-postgres'),
        '--param',
        'file=data/customers-update.csv',
      ]),
      'csv_to_postgres',
    )
    expect(await rowsOut(update, 'save')).toBe(30)
    expect(await count('customers')).toBe(310)
    const changed = await db!.query<{ id: string; lifetime_value: string }>(
      'SELECT id, lifetime_value FROM customers WHERE id IN (1, 20, 21, 310) ORDER BY id',
    )
    expect(changed.rows).toEqual([
      { id: '1', lifetime_value: '2578.180000000' },
      { id: '20', lifetime_value: '3298.630000000' },
      { id: '21', lifetime_value: '1406.290000000' },
      { id: '310', lifetime_value: '1299.720000000' },
    ])
    const pk = await db!.query(
      `SELECT 1 FROM pg_index WHERE indrelid = 'customers'::regclass AND indisprimary`,
    )
    expect(pk.rowCount).toBe(1)
  })

  it('postgres-incremental: the second run loads only the 250 new rows', async () => {
    await runSqlFile('examples/postgres-incremental/setup.sql')
    expect(await count('events')).toBe(1000)
    const first = succeeded(
      await sluice(['run', example('postgres-incremental')]),
      'postgres_incremental',
    )
    expect(await rowsOut(first, 'events')).toBe(1000)
    expect(await count('events_copy')).toBe(1000)

    await runSqlFile('examples/postgres-incremental/add-rows.sql')
    const second = succeeded(
      await sluice(['run', example('postgres-incremental')]),
      'postgres_incremental',
    )
    expect(await rowsOut(second, 'events')).toBe(250)
    expect(await count('events_copy')).toBe(1250)
    const diff = await db!.query(
      `(SELECT * FROM events EXCEPT SELECT * FROM events_copy)
       UNION ALL (SELECT * FROM events_copy EXCEPT SELECT * FROM events)`,
    )
    expect(diff.rows).toEqual([])
    const state = await db!.query<{ value: unknown }>(
      `SELECT value FROM _sluice_state WHERE pipeline = 'postgres_incremental'`,
    )
    expect(state.rows).toEqual([{ value: { key: ['1250'], value: '2026-01-02T00:20:50Z' } }])

    const third = succeeded(
      await sluice(['run', example('postgres-incremental')]),
      'postgres_incremental',
    )
    expect(await rowsOut(third, 'events')).toBe(0)
    expect(await count('events_copy')).toBe(1250)

    // setup.sql starts over: tables recreated, watermark gone
    await runSqlFile('examples/postgres-incremental/setup.sql')
    const again = succeeded(
      await sluice(['run', example('postgres-incremental')]),
      'postgres_incremental',
    )
    expect(await rowsOut(again, 'events')).toBe(1000)
  })

  it('mysql-to-parquet: the setup task fills orders, the export writes 500 rows', async () => {
    const out = join(ws, 'orders.parquet')
    const r = await sluice(['run', example('mysql-to-parquet'), '--param', `out=${out}`])
    const runId = succeeded(r, 'mysql_to_parquet')
    expect(r.out).toContain('(2 success)')
    expect(await rowsOut(runId, 'export')).toBe(500)
    const [[n]] = (await my!.query(`SELECT count(*) FROM \`${DB}\`.orders`)) as unknown as [
      [Record<string, number>],
    ]
    expect(Object.values(n)).toEqual([500])

    const duck = await DuckDBInstance.create(':memory:')
    const c = await duck.connect()
    try {
      const types = await c.runAndReadAll(`DESCRIBE SELECT * FROM '${out}'`)
      expect(types.getRows().map((row) => [row[0], row[1]])).toEqual([
        ['id', 'BIGINT'],
        ['customer', 'VARCHAR'],
        ['amount', 'DECIMAL(12,2)'],
        ['currency', 'VARCHAR'],
        ['status', 'VARCHAR'],
        ['details', 'JSON'],
        ['note', 'VARCHAR'],
        ['ordered_at', 'TIMESTAMP'],
      ])
      const agg = await c.runAndReadAll(
        `SELECT count(*)::INT, sum(amount)::VARCHAR, count(note)::INT,
                count(*) FILTER (WHERE note = '')::INT, max(ordered_at)::VARCHAR
           FROM '${out}'`,
      )
      expect(agg.getRows()).toEqual([[500, '121077.50', 80, 70, '2026-01-01 08:20:00.5005']])
      const row = await c.runAndReadAll(`SELECT note, details FROM '${out}' WHERE id = 50`)
      expect(row.getRows()).toEqual([['gift wrap 🎁', '{"items": 1, "sku": "SKU-0"}']])
    } finally {
      c.closeSync()
      duck.closeSync()
    }
  })

  it('orders-quality: clean data loads; the bad file fails its checks and loads nothing', async () => {
    const good = succeeded(await sluice(['run', example('orders-quality')]), 'orders_quality')
    expect(await count('orders_clean')).toBe(40)
    const sums = await db!.query<{ s: string; unknown: number; countries: string }>(
      `SELECT sum(amount)::text AS s, count(*) FILTER (WHERE channel = 'unknown')::int AS unknown,
              string_agg(DISTINCT country, ',' ORDER BY country) AS countries FROM orders_clean`,
    )
    expect(sums.rows[0]).toEqual({ s: '15792.420000000', unknown: 8, countries: 'DE,FR,NL,US' })
    const checks = JSON.parse((await sluice(['checks', good, '--json'])).out) as {
      name: string
      status: string
      failing: number
    }[]
    expect(checks.map((c) => `${c.name} ${c.status} ${c.failing}`)).toEqual([
      'row_count pass 0',
      'not_null(id, customer_id, amount) pass 0',
      'unique(id) pass 0',
      'range(amount) pass 0',
      'accepted_values(status) pass 0',
      'accepted_values(country) pass 0',
      'regex(email) fail 4',
    ])

    const bad = await sluice([
      'run',
      example('orders-quality'),
      '--param',
      'file=data/orders-bad.csv',
    ])
    expect(bad.code).toBe(1)
    expect(bad.out + bad.err).toMatch(/task quality FAILED E_CHECK_FAILED/)
    expect(bad.out + bad.err).toMatch(/range\(amount\): 1 of 42 rows has amount < 0/)
    expect(bad.out + bad.err).toMatch(/task save SKIPPED/)
    expect(await count('orders_clean')).toBe(40)
    const history = JSON.parse(
      (
        await sluice([
          'checks',
          '--pipeline',
          'orders_quality',
          '--check',
          'range(amount)',
          '--json',
        ])
      ).out,
    ) as { status: string; failing: number }[]
    expect(history.map((h) => [h.status, h.failing])).toEqual([
      ['fail', 1],
      ['pass', 0],
    ])
  })

  it('a load quarantines the rows PostgreSQL refuses; sluice rejects lists them; the rest load', async () => {
    const { writeFile } = await import('node:fs/promises')
    await db!.query(
      'CREATE TABLE refused (id bigint PRIMARY KEY, qty integer NOT NULL CHECK (qty >= 0))',
    )
    const lines = Array.from({ length: 50 }, (_, i) =>
      i + 1 === 7 ? '7,' : i + 1 === 31 ? '31,-5' : `${i + 1},${i}`,
    )
    await writeFile(join(ws, 'refused.csv'), `id,qty\n${lines.join('\n')}\n`)
    await writeFile(
      join(ws, 'refused.yaml'),
      [
        'name: refused',
        "connections: { wh: '${env:PG_URL}' }",
        'tasks:',
        '  rows: { type: extract, source: { path: refused.csv } }',
        '  save:',
        '    type: load',
        '    depends_on: [rows]',
        '    destination: { connection: wh, table: refused, on_error: quarantine, max_bad_rows: 5 }',
        '',
      ].join('\n'),
    )
    const runId = succeeded(await sluice(['run', join(ws, 'refused.yaml')]), 'refused')
    expect(await count('refused')).toBe(48)
    const rejects = JSON.parse((await sluice(['rejects', runId, 'save', '--json'])).out) as {
      file: string
      line: number
      reason: string
      raw: string
    }[]
    expect(rejects.map((x) => [x.file, x.line])).toEqual([
      ['refused', 7],
      ['refused', 31],
    ])
    expect(rejects[0]!.reason).toMatch(/null value in column "qty"/)
    expect(rejects[1]!.reason).toMatch(/check constraint/)
    expect(JSON.parse(rejects[1]!.raw)).toEqual({ id: 31, qty: -5 })
  })
})
