import { randomBytes } from 'node:crypto'
import mysql from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnectorRegistry } from '../../../../src/connectors/connector-registry.js'
import { mysqlConnector } from '../../../../src/connectors/mysql/index.js'
import type { Column, TableSchema, Value } from '../../../../src/data/column-type.js'
import type {
  ConnectionConfig,
  Destination,
  ReadContext,
  Source,
  WriteContext,
  WriteMode,
} from '../../../../src/data/connector-contract.js'
import type { RowBatch } from '../../../../src/data/row-batch.js'

// A real MariaDB/MySQL at 127.0.0.1:3306 (root, no password). Unreachable means failing, not skipping.
const HOST = process.env.SLUICE_TEST_MYSQL_HOST ?? '127.0.0.1'
const DB = `sluice_my_${randomBytes(5).toString('hex')}`
const URL = `mysql://root@${HOST}:3306/${DB}`
let admin: mysql.Connection

beforeAll(async () => {
  admin = await mysql.createConnection({
    host: HOST,
    port: 3306,
    user: 'root',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  })
  await admin.query(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await admin.query(`USE \`${DB}\``)
})

afterAll(async () => {
  if (!admin) return
  await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``)
  await admin.end()
})

const conn = (options: Record<string, unknown> = {}): ConnectionConfig => ({
  name: 'my',
  url: URL,
  options,
})
const logs: string[] = []
const rctx = (since?: unknown, batchRows = 2): ReadContext => ({
  signal: new AbortController().signal,
  batchRows,
  ...(since === undefined ? {} : { since }),
  log: (t) => logs.push(t),
})
const wctx = (
  schema: TableSchema,
  mode: WriteMode,
  keys?: string[],
  watermark?: WriteContext['watermark'],
): WriteContext => ({
  signal: new AbortController().signal,
  schema,
  mode,
  ...(keys ? { keys } : {}),
  ...(watermark ? { watermark } : {}),
  log: (t) => logs.push(t),
})
const col = (name: string, type: Column['type'], nullable = true): Column => ({
  name,
  type,
  nullable,
})
async function* batches(schema: TableSchema, rows: Value[][], size = 2): AsyncIterable<RowBatch> {
  for (let i = 0; i < rows.length; i += size) {
    await Promise.resolve()
    yield { schema, rows: rows.slice(i, i + size) }
  }
}
const dest = (table: string, extra: Record<string, unknown> = {}): Destination =>
  mysqlConnector.createDestination(conn(), { table, ...extra })
const source = (options: Record<string, unknown>): Source =>
  mysqlConnector.createSource(conn(), options)

async function load(
  table: string,
  schema: TableSchema,
  rows: Value[][],
  mode: WriteMode,
  keys?: string[],
  extra: Record<string, unknown> = {},
): Promise<number> {
  const d = dest(table, extra)
  try {
    return (await d.write(wctx(schema, mode, keys), batches(schema, rows))).rowsWritten
  } finally {
    await d.close()
  }
}

async function readAll(
  s: Source,
  since?: unknown,
): Promise<{ schema: TableSchema; rows: Value[][] }> {
  const ctx = rctx(since)
  const schema = await s.schema(ctx)
  const rows: Value[][] = []
  for await (const b of s.read(ctx)) rows.push(...b.rows.map((r) => [...r]))
  return { schema, rows }
}

async function tableRows(table: string, order = 'id'): Promise<unknown[][]> {
  const [rows] = await admin.query({
    sql: `SELECT * FROM \`${table.replace(/`/g, '``')}\` ORDER BY ${order}`,
    rowsAsArray: true,
  })
  return rows as unknown[][]
}

const simple: TableSchema = {
  columns: [col('id', { kind: 'int64' }, false), col('name', { kind: 'string' })],
}

describe('mysql connector', () => {
  it('registers as mysql for mysql:// and mariadb:// URLs', () => {
    const reg = new ConnectorRegistry().register(mysqlConnector)
    expect(reg.resolve('mariadb://h/db').name).toBe('mysql')
    expect(reg.resolve('MYSQL://h/db').name).toBe('mysql')
    expect(mysqlConnector.capabilities).toMatchObject({ bulk: 'multi-row-insert', merge: true })
  })

  it('append creates the table with a primary key, then appends', async () => {
    expect(
      await load(
        'app',
        simple,
        [
          [1n, 'a'],
          [2n, 'b'],
          [3n, null],
        ],
        'append',
        ['id'],
      ),
    ).toBe(3)
    const [pk] = await admin.query(
      `SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
        WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'app' AND CONSTRAINT_NAME = 'PRIMARY'`,
      [DB],
    )
    expect(pk).toEqual([{ COLUMN_NAME: 'id' }])
    await load('app', simple, [[4n, 'd']], 'append', ['id'])
    expect(await tableRows('app')).toEqual([
      ['1', 'a'],
      ['2', 'b'],
      ['3', null],
      ['4', 'd'],
    ])
    // a duplicate key in append fails and leaves the table as it was
    await expect(
      load(
        'app',
        simple,
        [
          [5n, 'e'],
          [1n, 'dup'],
        ],
        'append',
        ['id'],
      ),
    ).rejects.toThrow(/Duplicate entry/)
    expect(await tableRows('app')).toHaveLength(4)
  })

  it('merge upserts on the keys, the last incoming row winning', async () => {
    await load(
      'mrg',
      simple,
      [
        [1n, 'a'],
        [2n, 'b'],
      ],
      'merge',
      ['id'],
    )
    await load(
      'mrg',
      simple,
      [
        [2n, 'B'],
        [3n, 'c'],
        [3n, 'C'],
      ],
      'merge',
      ['id'],
    )
    expect(await tableRows('mrg')).toEqual([
      ['1', 'a'],
      ['2', 'B'],
      ['3', 'C'],
    ])
  })

  it('merge works on a table without a unique key on the keys (delete + insert)', async () => {
    await admin.query('CREATE TABLE mrg2 (id BIGINT, name TEXT)')
    await admin.query("INSERT INTO mrg2 VALUES (1, 'a'), (2, 'b')")
    await load(
      'mrg2',
      simple,
      [
        [2n, 'B'],
        [3n, 'c'],
      ],
      'merge',
      ['id'],
    )
    expect(await tableRows('mrg2')).toEqual([
      ['1', 'a'],
      ['2', 'B'],
      ['3', 'c'],
    ])
  })

  it('merge without keys is refused', async () => {
    await expect(load('mrg3', simple, [[1n, 'a']], 'merge')).rejects.toMatchObject({
      code: 'E_SCHEMA_VALUE',
    })
  })

  it('truncate_insert empties the table in the same transaction and keeps it', async () => {
    await load(
      'tri',
      simple,
      [
        [1n, 'a'],
        [2n, 'b'],
      ],
      'append',
      ['id'],
    )
    await admin.query('ALTER TABLE tri COMMENT = "kept"')
    await load('tri', simple, [[7n, 'x']], 'truncate_insert', ['id'])
    expect(await tableRows('tri')).toEqual([['7', 'x']])
    const [t] = await admin.query(
      `SELECT TABLE_COMMENT AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'tri'`,
      [DB],
    )
    expect(t).toEqual([{ c: 'kept' }])
  })

  it('replace swaps in a table with the new schema', async () => {
    await load(
      'rep',
      simple,
      [
        [1n, 'a'],
        [2n, 'b'],
      ],
      'append',
      ['id'],
    )
    const other: TableSchema = {
      columns: [col('id', { kind: 'int64' }, false), col('score', { kind: 'float64' })],
    }
    await load('rep', other, [[9n, 0.5]], 'replace', ['id'])
    expect(await tableRows('rep')).toEqual([['9', 0.5]])
    const [tables] = await admin.query(
      `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE '\\_sluice%'`,
      [DB],
    )
    expect(tables).toEqual([])
  })

  it('evolve adds new columns; freeze fails with the diff and changes nothing', async () => {
    await load('evo', simple, [[1n, 'a']], 'append', ['id'])
    const wider: TableSchema = {
      columns: [...simple.columns, col('qty', { kind: 'int32' })],
    }
    await expect(
      load('evo', wider, [[2n, 'b', 5]], 'append', ['id'], { schema_evolution: 'freeze' }),
    ).rejects.toMatchObject({ code: 'E_SCHEMA_DRIFT', message: /\+ qty int32/ })
    expect(await tableRows('evo')).toEqual([['1', 'a']])
    await load('evo', wider, [[2n, 'b', 5]], 'append', ['id'], { schema_evolution: 'evolve' })
    expect(await tableRows('evo')).toEqual([
      ['1', 'a', null],
      ['2', 'b', 5],
    ])
    // a type the table cannot hold is drift even under evolve
    const narrowed: TableSchema = {
      columns: [col('id', { kind: 'int64' }, false), col('qty', { kind: 'string' })],
    }
    await expect(load('evo', narrowed, [[3n, 'x']], 'append', ['id'])).rejects.toMatchObject({
      code: 'E_SCHEMA_DRIFT',
      message: /~ qty int32 -> string/,
    })
  })

  it('round-trips every logical type with equal values', async () => {
    const schema: TableSchema = {
      columns: [
        col('id', { kind: 'int64' }, false),
        col('i32', { kind: 'int32' }),
        col('f', { kind: 'float64' }),
        col('d', { kind: 'decimal', precision: 38, scale: 9 }),
        col('s', { kind: 'string' }),
        col('b', { kind: 'boolean' }),
        col('dt', { kind: 'date' }),
        col('ts', { kind: 'timestamp' }),
        col('j', { kind: 'json' }),
        col('bin', { kind: 'binary' }),
      ],
    }
    const rows: Value[][] = [
      [
        9007199254740993n,
        2147483647,
        1.5e-7,
        '12345678901234567890123456789.123456789',
        'héllo wörld 日本語 🎉🚀',
        true,
        '2024-02-29',
        '2024-01-02T03:04:05.123456',
        '{"a": [1, 2, {"b": null}], "u": "ü🎉"}',
        new Uint8Array([0, 1, 2, 255, 0]),
      ],
      [
        -9223372036854775808n,
        -2147483648,
        -0.1,
        '-0.000000001',
        '',
        false,
        '1969-07-20',
        '1969-07-20T20:17:40.000000',
        '[]',
        new Uint8Array([]),
      ],
      [
        9223372036854775807n,
        0,
        0,
        '0.000000000',
        `quote ' " \\ back\nslash\0nul \`tick\``,
        null,
        null,
        '2038-01-19T03:14:08.999999',
        null,
        null,
      ],
      [1n, null, null, null, null, null, null, null, null, null],
    ]
    await load('types', schema, rows, 'append', ['id'])
    const back = await readAll(source({ table: 'types' }))
    expect(back.schema.columns.map((c) => [c.name, c.type])).toEqual(
      schema.columns.map((c) => [c.name, c.type]),
    )
    const byId = (a: Value[], b: Value[]): number => ((a[0] as bigint) < (b[0] as bigint) ? -1 : 1)
    expect(back.rows.sort(byId)).toEqual([...rows].sort(byId))
    expect(back.rows.find((r) => r[0] === 1n)?.[4]).toBeNull()
    // a query source describes its columns from the result metadata
    const q = await readAll(source({ query: 'SELECT id, s, d, ts FROM types WHERE id < 0' }))
    expect(q.schema.columns.map((c) => c.type.kind)).toEqual([
      'int64',
      'string',
      'decimal',
      'timestamp',
    ])
    expect(q.rows).toEqual([
      [-9223372036854775808n, '', '-0.000000001', '1969-07-20T20:17:40.000000'],
    ])
  })

  it('incremental: equal timestamps and late rows over three runs end with destination == source', async () => {
    await admin.query(
      'CREATE TABLE inc_src (id BIGINT PRIMARY KEY, updated_at DATETIME(6) NOT NULL, v TEXT)',
    )
    const t1 = '2024-05-01 10:00:00.000000'
    const t2 = '2024-05-01 11:00:00.000000'
    const t3 = '2024-05-01 12:00:00.000000'
    await admin.query('INSERT INTO inc_src VALUES (1,?,"a"),(2,?,"b"),(3,?,"c"),(4,?,"d")', [
      t1,
      t1,
      t2,
      t2,
    ])
    const ref = { pipeline: 'p', key: 'inc_src' }
    const run = async (incremental: Record<string, unknown>): Promise<number> => {
      const d = dest('inc_dst')
      const s = source({ table: 'inc_src', incremental })
      try {
        const since = await d.readWatermark(ref)
        const ctx = rctx(since)
        const schema = await s.schema(ctx)
        let read = 0
        const counted = async function* (): AsyncIterable<RowBatch> {
          for await (const b of s.read(ctx)) {
            read += b.rows.length
            yield b
          }
        }
        // the watermark is taken after the read finished, inside the same write
        const result = { value: undefined as unknown }
        const it = counted()
        const rows: RowBatch[] = []
        for await (const b of it) rows.push(b)
        result.value = s.watermark()
        await d.write(
          wctx(schema, 'merge', ['id'], { ...ref, value: result.value }),
          (async function* () {
            await Promise.resolve()
            yield* rows
          })(),
        )
        return read
      } finally {
        await s.close()
        await d.close()
      }
    }
    expect(await run({ column: 'updated_at' })).toBe(4)
    const d0 = dest('inc_dst')
    expect(await d0.readWatermark(ref)).toEqual({ value: '2024-05-01T11:00:00.000000', key: ['4'] })
    await d0.close()
    // same timestamp as the watermark with a higher key, newer rows, and an update
    await admin.query('INSERT INTO inc_src VALUES (5,?,"e"),(6,?,"f")', [t2, t3])
    await admin.query('UPDATE inc_src SET v = "A", updated_at = ? WHERE id = 1', [t3])
    expect(await run({ column: 'updated_at' })).toBe(3)
    // a late row (older than the watermark) and one more at the watermark time
    await admin.query('INSERT INTO inc_src VALUES (7,?,"late"),(8,?,"h")', [t1, t3])
    const n = await run({ column: 'updated_at', lookback: '3h' })
    expect(n).toBeGreaterThanOrEqual(2)
    const [src] = await admin.query({ sql: 'SELECT * FROM inc_src ORDER BY id', rowsAsArray: true })
    expect(await tableRows('inc_dst')).toEqual(src)
    expect(await tableRows('inc_dst')).toHaveLength(8)
  })

  it('a throw from the batch iterator mid-load rolls back rows and watermark', async () => {
    await load('rb', simple, [[1n, 'a']], 'append', ['id'])
    const d = dest('rb')
    const ref = { pipeline: 'p', key: 'rb' }
    await d.write(
      wctx(simple, 'append', ['id'], { ...ref, value: { value: '1' } }),
      batches(simple, [[2n, 'b']]),
    )
    const failing = async function* (): AsyncIterable<RowBatch> {
      await Promise.resolve()
      yield {
        schema: simple,
        rows: [
          [3n, 'c'],
          [4n, 'd'],
        ],
      }
      yield { schema: simple, rows: [[5n, 'e']] }
      throw new Error('upstream broke')
    }
    for (const mode of ['append', 'merge', 'truncate_insert', 'replace'] as const)
      await expect(
        d.write(wctx(simple, mode, ['id'], { ...ref, value: { value: '99' } }), failing()),
      ).rejects.toThrow(/upstream broke/)
    const fresh = dest('rb_new')
    await expect(fresh.write(wctx(simple, 'append', ['id']), failing())).rejects.toThrow(/upstream/)
    await fresh.close()
    const [gone] = await admin.query(
      `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'rb_new'`,
      [DB],
    )
    expect(gone).toEqual([])
    expect(await tableRows('rb')).toEqual([
      ['1', 'a'],
      ['2', 'b'],
    ])
    expect(await d.readWatermark(ref)).toEqual({ value: '1' })
    await d.close()
  })

  it('quotes hostile identifiers everywhere', async () => {
    const raw = 'x`; DROP TABLE app; -- "t\''
    // a name with a quote character must itself be quoted in the table option
    const table = `\`${raw.replace(/`/g, '``')}\``
    const schema: TableSchema = {
      columns: [
        col('id`)', { kind: 'int64' }, false),
        col('na\'me"; --', { kind: 'string' }),
        col('spa ce é ∑', { kind: 'int32' }),
      ],
    }
    await load(table, schema, [[1n, 'a', 1]], 'merge', ['id`)'])
    await load(
      table,
      schema,
      [
        [1n, 'b', 2],
        [2n, 'c', 3],
      ],
      'merge',
      ['id`)'],
    )
    const back = await readAll(source({ table }))
    expect(back.schema.columns.map((c) => c.name)).toEqual(schema.columns.map((c) => c.name))
    expect(back.rows).toEqual([
      [1n, 'b', 2],
      [2n, 'c', 3],
    ])
    expect(await tableRows(raw, '1')).toHaveLength(2)
    expect(await tableRows('app')).toHaveLength(4)
    await expect(load(raw, schema, [], 'append')).rejects.toMatchObject({ code: 'E_SCHEMA_VALUE' })
    const emoji: TableSchema = { columns: [col('🎉', { kind: 'int32' })] }
    await expect(load('emo', emoji, [], 'append')).rejects.toMatchObject({ code: 'E_SCHEMA_VALUE' })
    const wm = dest(table)
    await expect(
      wm.write(
        wctx(schema, 'append', ['id`)'], { pipeline: "p'); --", key: 'k`', value: { v: "'" } }),
        batches(schema, [[3n, 'd', 4]]),
      ),
    ).resolves.toMatchObject({ rowsWritten: 1 })
    expect(await wm.readWatermark({ pipeline: "p'); --", key: 'k`' })).toEqual({ v: "'" })
    await wm.close()
  })

  it('streams a copy into the same database with the watermark read at commit (extract fast path)', async () => {
    await admin.query('CREATE TABLE cp_src (id BIGINT PRIMARY KEY, at DATE, v TEXT)')
    const values = Array.from(
      { length: 25 },
      (_, i) => `(${i}, '2024-01-${String((i % 28) + 1).padStart(2, '0')}', 'v${i}')`,
    )
    await admin.query(`INSERT INTO cp_src VALUES ${values.join(',')}`)
    const ref = { pipeline: 'copy', key: 'cp' }
    const run = async (): Promise<number> => {
      const s = source({
        query: 'SELECT * FROM cp_src',
        keys: ['id'],
        incremental: { column: 'at' },
      })
      const d = dest('cp_dst')
      try {
        const ctx = rctx(await d.readWatermark(ref), 4)
        const r = await d.write(
          {
            ...wctx(await s.schema(ctx), 'append', ['id']),
            watermark: {
              ...ref,
              get value() {
                return s.watermark()
              },
            },
          },
          s.read(ctx),
        )
        return r.rowsWritten
      } finally {
        await s.close()
        await d.close()
      }
    }
    expect(await run()).toBe(25)
    expect(await run()).toBe(0)
    await admin.query("INSERT INTO cp_src VALUES (100, '2024-01-28', 'same day, later key')")
    expect(await run()).toBe(1)
    const [[c]] = (await admin.query('SELECT COUNT(*) AS n FROM cp_dst')) as unknown as [
      { n: string }[],
    ]
    expect(c).toEqual({ n: '26' })
    const d = dest('cp_dst')
    expect(await d.readWatermark(ref)).toEqual({ value: '2024-01-28', key: ['100'] })
    await d.close()
  })

  it('stopping a read early or aborting it frees the connection', async () => {
    await admin.query('CREATE TABLE many (id INT PRIMARY KEY)')
    await admin.query(`INSERT INTO many SELECT seq FROM seq_1_to_5000`).catch(async () => {
      const v = Array.from({ length: 5000 }, (_, i) => `(${i + 1})`).join(',')
      await admin.query(`INSERT INTO many VALUES ${v}`)
    })
    const s = mysqlConnector.createSource(conn({ pool: 1 }), { table: 'many' })
    for await (const b of s.read(rctx(undefined, 10))) {
      expect(b.rows).toHaveLength(10)
      break
    }
    const ac = new AbortController()
    const ctx = { ...rctx(undefined, 10), signal: ac.signal }
    let seen = 0
    await expect(
      (async () => {
        for await (const b of s.read(ctx)) {
          seen += b.rows.length
          ac.abort()
        }
      })(),
    ).rejects.toMatchObject({ code: 'E_CANCELLED' })
    expect(seen).toBe(10)
    // the single pooled connection is usable again
    let n = 0
    for await (const b of s.read(rctx(undefined, 1000))) n += b.rows.length
    expect(n).toBe(5000)
    await s.close()
  })

  it('reports bad queries, missing tables and bad incremental settings clearly', async () => {
    const bad = source({ query: 'SELECT nope FROM nowhere' })
    await expect(readAll(bad)).rejects.toMatchObject({ code: 'E_TASK_FAILED', retryable: false })
    await bad.close()
    const missing = source({ table: 'no_such_table' })
    await expect(missing.schema(rctx())).rejects.toThrow(/does not exist/)
    await missing.close()
    const lb = source({ table: 'app', incremental: { column: 'name', lookback: '5m' } })
    await expect(readAll(lb, { value: 'a' })).rejects.toMatchObject({ code: 'E_SCHEMA_VALUE' })
    await lb.close()
    const nocol = source({ table: 'app', incremental: { column: 'nope' } })
    await expect(readAll(nocol)).rejects.toThrow(/not in the result/)
    await nocol.close()
    const maria = mysqlConnector.createSource(
      { name: 'm', url: URL.replace(/^mysql:/, 'mariadb:'), options: { pool: 1 } },
      { query: 'SELECT 1 AS one' },
    )
    expect((await readAll(maria)).rows).toEqual([[1]])
    await maria.close()
  })

  it('splits statements under max_allowed_packet', async () => {
    const big = 'x'.repeat(20_000)
    const rows: Value[][] = Array.from({ length: 1200 }, (_, i) => [BigInt(i), big])
    expect(await load('bigrows', simple, rows, 'append', ['id'])).toBe(1200)
    const [[r]] = (await admin.query(
      'SELECT COUNT(*) AS n, SUM(LENGTH(name)) AS l FROM bigrows',
    )) as unknown as [{ n: string; l: string }[]]
    expect(r).toEqual({ n: '1200', l: String(1200 * 20_000) })
  })

  it('reports an unreachable server as a retryable E_NETWORK', async () => {
    const d = mysqlConnector.createDestination(
      { name: 'down', url: 'mysql://root:s3cretpw@127.0.0.1:1/x', options: {} },
      { table: 't' },
    )
    const err = await d.write(wctx(simple, 'append'), batches(simple, [])).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toMatchObject({ code: 'E_NETWORK', retryable: true })
    expect(String((err as Error).message)).not.toContain('s3cretpw')
    await d.close()
  })

  it('loads and reads 100,000 rows', async () => {
    const schema: TableSchema = {
      columns: [
        col('id', { kind: 'int64' }, false),
        col('name', { kind: 'string' }),
        col('amount', { kind: 'decimal', precision: 12, scale: 2 }),
        col('qty', { kind: 'int32' }),
        col('at', { kind: 'timestamp' }),
      ],
    }
    const N = 100_000
    const gen = async function* (): AsyncIterable<RowBatch> {
      for (let i = 0; i < N; i += 10_000) {
        const rows: Value[][] = []
        await Promise.resolve()
        for (let j = i; j < i + 10_000; j++)
          rows.push([BigInt(j), `name ${j}`, `${j}.25`, j % 1000, '2024-01-01T00:00:00.000000'])
        yield { schema, rows }
      }
    }
    const d = dest('perf')
    let t = performance.now()
    const r = await d.write(wctx(schema, 'append', ['id']), gen())
    const writeMs = performance.now() - t
    await d.close()
    expect(r.rowsWritten).toBe(N)
    const s = source({ table: 'perf' })
    t = performance.now()
    let n = 0
    for await (const b of s.read(rctx(undefined, 10_000))) n += b.rows.length
    const readMs = performance.now() - t
    await s.close()
    expect(n).toBe(N)
    console.log(
      `mysql: write ${Math.round(N / (writeMs / 1000))} rows/s (${Math.round(writeMs)} ms), read ${Math.round(N / (readMs / 1000))} rows/s (${Math.round(readMs)} ms)`,
    )
  })
})

describe('mysql destination: refused rows set aside', () => {
  const s3: TableSchema = {
    columns: [
      col('id', { kind: 'int64' }, false),
      col('qty', { kind: 'int32' }),
      col('note', { kind: 'string' }),
    ],
  }
  async function strict(table: string): Promise<void> {
    await admin.query(
      `CREATE TABLE \`${table}\` (id BIGINT PRIMARY KEY, qty INT NOT NULL CHECK (qty >= 0),
         note VARCHAR(5)) ENGINE=InnoDB`,
    )
  }
  const rows = (n: number, bad: Map<number, Value[]>): Value[][] =>
    Array.from({ length: n }, (_, i) => bad.get(i + 1) ?? [BigInt(i + 1), i, 'ok'])

  it('loads the good rows and returns each refused one with its row number and reason', async () => {
    await strict('rj_basic')
    const d = dest('rj_basic', { batch_size: 4 })
    const bad = new Map<number, Value[]>([
      [3, [3n, null, 'null']],
      [6, [6n, -1, 'neg']],
      [11, [11n, 1, 'too long']],
      [12, [1n, 1, 'dup']],
    ])
    try {
      const r = await d.write(
        { ...wctx(s3, 'append'), rejects: { max: 10 } },
        batches(s3, rows(13, bad), 5),
      )
      expect(r.rowsWritten).toBe(9)
      expect(r.rejected?.map((x) => x.line)).toEqual([3, 6, 11, 12])
      expect(r.rejected?.[0]?.reason).toMatch(/cannot be null/i)
      expect(r.rejected?.[1]?.reason).toMatch(/constraint/i)
      expect(r.rejected?.[2]?.reason).toMatch(/too long/i)
      expect(r.rejected?.[3]?.reason).toMatch(/duplicate/i)
      expect(JSON.parse(r.rejected![0]!.raw)).toEqual({ id: '3', qty: null, note: 'null' })
    } finally {
      await d.close()
    }
    expect((await tableRows('rj_basic')).map((r) => Number(r[0]))).toEqual([
      1, 2, 4, 5, 7, 8, 9, 10, 13,
    ])
  })

  it('more than max refused rows fails with E_ROWS_REJECTED and writes nothing', async () => {
    await strict('rj_max')
    const d = dest('rj_max')
    const bad = new Map<number, Value[]>([
      [1, [1n, null, 'a']],
      [2, [2n, null, 'b']],
    ])
    try {
      const err = await d
        .write({ ...wctx(s3, 'append'), rejects: { max: 1 } }, batches(s3, rows(4, bad)))
        .catch((e: unknown) => e)
      expect((err as { code?: string }).code).toBe('E_ROWS_REJECTED')
    } finally {
      await d.close()
    }
    expect(await tableRows('rj_max')).toEqual([])
  })
})
