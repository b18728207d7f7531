import Sqlite from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConnectorRegistry } from '../../../../src/connectors/connector-registry.js'
import { sqliteConnector } from '../../../../src/connectors/sqlite/index.js'
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

const dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const newFile = (): string => join(dir, `t${++n}.db`)

const conn = (file: string, options: Record<string, unknown> = {}): ConnectionConfig => ({
  name: 'lite',
  url: `sqlite:${file}`,
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
const dest = (file: string, table: string, extra: Record<string, unknown> = {}): Destination =>
  sqliteConnector.createDestination(conn(file), { table, ...extra })
const source = (file: string, options: Record<string, unknown>): Source =>
  sqliteConnector.createSource(conn(file), options)

async function load(
  file: string,
  table: string,
  schema: TableSchema,
  rows: Value[][],
  mode: WriteMode,
  keys?: string[],
  extra: Record<string, unknown> = {},
): Promise<number> {
  const d = dest(file, table, extra)
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

function query(file: string, sql: string, ...params: unknown[]): unknown[][] {
  const db = new Sqlite(file)
  try {
    return db
      .prepare(sql)
      .raw(true)
      .all(...params) as unknown[][]
  } finally {
    db.close()
  }
}
function exec(file: string, sql: string): void {
  const db = new Sqlite(file)
  db.exec(sql)
  db.close()
}

const simple: TableSchema = {
  columns: [col('id', { kind: 'int64' }, false), col('name', { kind: 'string' })],
}

describe('sqlite connector', () => {
  it('registers as sqlite for sqlite: URLs and parses paths', () => {
    const reg = new ConnectorRegistry().register(sqliteConnector)
    expect(reg.resolve('sqlite:data/x.db').name).toBe('sqlite')
    expect(reg.resolve('sqlite:///abs/x.db').name).toBe('sqlite')
    expect(() => sqliteConnector.createSource(conn(''), { table: 't' })).toThrow(/no path/)
    expect(() => sqliteConnector.createSource(conn('x.db'), {})).toThrow(/exactly one/)
  })

  it('append creates the table with a primary key in WAL mode, then appends', async () => {
    const f = newFile()
    expect(
      await load(
        f,
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
    expect(query(f, 'SELECT name, pk FROM pragma_table_info(?) ORDER BY cid', 'app')).toEqual([
      ['id', 1],
      ['name', 0],
    ])
    expect(query(f, 'PRAGMA journal_mode')).toEqual([['wal']])
    await load(f, 'app', simple, [[4n, 'd']], 'append', ['id'])
    expect(query(f, 'SELECT * FROM app ORDER BY id')).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, null],
      [4, 'd'],
    ])
    await expect(
      load(
        f,
        'app',
        simple,
        [
          [5n, 'e'],
          [1n, 'dup'],
        ],
        'append',
        ['id'],
      ),
    ).rejects.toThrow(/UNIQUE constraint failed/)
    expect(query(f, 'SELECT count(*) FROM app')).toEqual([[4]])
  })

  it('merge upserts on the keys, the last incoming row winning', async () => {
    const f = newFile()
    await load(
      f,
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
      f,
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
    expect(query(f, 'SELECT * FROM mrg ORDER BY id')).toEqual([
      [1, 'a'],
      [2, 'B'],
      [3, 'C'],
    ])
  })

  it('merge works on a table without a unique key on the keys (delete + insert)', async () => {
    const f = newFile()
    exec(f, "CREATE TABLE m2 (id BIGINT, name TEXT); INSERT INTO m2 VALUES (1, 'a'), (2, 'b')")
    await load(
      f,
      'm2',
      simple,
      [
        [2n, 'B'],
        [3n, 'c'],
      ],
      'merge',
      ['id'],
    )
    expect(query(f, 'SELECT * FROM m2 ORDER BY id')).toEqual([
      [1, 'a'],
      [2, 'B'],
      [3, 'c'],
    ])
    await expect(load(f, 'm2', simple, [[1n, 'a']], 'merge')).rejects.toMatchObject({
      code: 'E_SCHEMA_VALUE',
    })
  })

  it('truncate_insert keeps the table; replace rebuilds it with the new schema', async () => {
    const f = newFile()
    await load(
      f,
      'tri',
      simple,
      [
        [1n, 'a'],
        [2n, 'b'],
      ],
      'append',
      ['id'],
    )
    exec(f, 'CREATE INDEX tri_name ON tri (name)')
    await load(f, 'tri', simple, [[7n, 'x']], 'truncate_insert', ['id'])
    expect(query(f, 'SELECT * FROM tri')).toEqual([[7, 'x']])
    expect(query(f, "SELECT name FROM sqlite_master WHERE name = 'tri_name'")).toEqual([
      ['tri_name'],
    ])
    const other: TableSchema = {
      columns: [col('id', { kind: 'int64' }, false), col('score', { kind: 'float64' })],
    }
    await load(f, 'tri', other, [[9n, 0.5]], 'replace', ['id'])
    expect(query(f, 'SELECT * FROM tri')).toEqual([[9, 0.5]])
  })

  it('evolve adds new columns; freeze fails with the diff and changes nothing', async () => {
    const f = newFile()
    await load(f, 'evo', simple, [[1n, 'a']], 'append', ['id'])
    const wider: TableSchema = { columns: [...simple.columns, col('qty', { kind: 'int32' })] }
    await expect(
      load(f, 'evo', wider, [[2n, 'b', 5]], 'append', ['id'], { schema_evolution: 'freeze' }),
    ).rejects.toMatchObject({ code: 'E_SCHEMA_DRIFT', message: /\+ qty int32/ })
    expect(query(f, 'SELECT * FROM evo')).toEqual([[1, 'a']])
    await load(f, 'evo', wider, [[2n, 'b', 5]], 'append', ['id'])
    expect(query(f, 'SELECT * FROM evo ORDER BY id')).toEqual([
      [1, 'a', null],
      [2, 'b', 5],
    ])
    const wider2: TableSchema = { columns: [...wider.columns, col('dropme', { kind: 'string' })] }
    await load(f, 'evo', wider2, [[3n, 'c', 6, 'z']], 'append', ['id'], {
      schema_evolution: 'discard_columns',
    })
    expect(query(f, 'SELECT * FROM evo WHERE id = 3')).toEqual([[3, 'c', 6]])
    const narrowed: TableSchema = {
      columns: [col('id', { kind: 'int64' }, false), col('qty', { kind: 'string' })],
    }
    await expect(load(f, 'evo', narrowed, [[3n, 'x']], 'append', ['id'])).rejects.toMatchObject({
      code: 'E_SCHEMA_DRIFT',
      message: /~ qty int32 -> string/,
    })
  })

  it('round-trips every logical type with equal values', async () => {
    const f = newFile()
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
        col('tz', { kind: 'timestamptz' }),
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
        '2024-01-02T03:04:05.123456Z',
        '{"a": [1, 2, {"b": null}], "u": "ü🎉"}',
        new Uint8Array([0, 1, 2, 255, 0]),
      ],
      [
        -9223372036854775808n,
        -2147483648,
        -0.1,
        '12.340',
        '',
        false,
        '1969-07-20',
        '1969-07-20T20:17:40',
        '1969-07-20T20:17:40Z',
        '123',
        new Uint8Array([]),
      ],
      [
        9223372036854775807n,
        0,
        0,
        '0.000000000',
        `quote ' " \\ back\nslash\0nul`,
        null,
        null,
        null,
        null,
        null,
        null,
      ],
    ]
    await load(f, 'types', schema, rows, 'append', ['id'])
    const back = await readAll(source(f, { table: 'types' }))
    expect(back.schema.columns.map((c) => [c.name, c.type])).toEqual(
      schema.columns.map((c) => [c.name, c.type]),
    )
    const byId = (a: Value[], b: Value[]): number => ((a[0] as bigint) < (b[0] as bigint) ? -1 : 1)
    expect(back.rows.sort(byId)).toEqual([...rows].sort(byId))
    // a query source takes declared types, and infers them for expressions
    const q = await readAll(
      source(f, { query: 'SELECT id, d, count(*) OVER () AS n, 1.5 AS x FROM types WHERE id < 0' }),
    )
    expect(q.schema.columns.map((c) => c.type.kind)).toEqual([
      'int64',
      'decimal',
      'int64',
      'float64',
    ])
    expect(q.rows).toEqual([[-9223372036854775808n, '12.340', 1n, 1.5]])
  })

  it('incremental: equal timestamps and late rows over three runs end with destination == source', async () => {
    const src = newFile()
    const dst = newFile()
    exec(src, 'CREATE TABLE s (id INTEGER PRIMARY KEY, updated_at DATETIME NOT NULL, v TEXT)')
    const t1 = '2024-05-01T10:00:00'
    const t2 = '2024-05-01T11:00:00'
    const t3 = '2024-05-01T12:00:00'
    exec(
      src,
      `INSERT INTO s VALUES (1,'${t1}','a'),(2,'${t1}','b'),(3,'${t2}','c'),(4,'${t2}','d')`,
    )
    const ref = { pipeline: 'p', key: 's' }
    const run = async (incremental: Record<string, unknown>): Promise<number> => {
      const d = dest(dst, 'd')
      const s = source(src, { table: 's', incremental })
      try {
        const ctx = rctx(await d.readWatermark(ref))
        const schema = await s.schema(ctx)
        const read: RowBatch[] = []
        for await (const b of s.read(ctx)) read.push(b)
        await d.write(
          wctx(schema, 'merge', ['id'], { ...ref, value: s.watermark() }),
          (async function* () {
            await Promise.resolve()
            yield* read
          })(),
        )
        return read.reduce((a, b) => a + b.rows.length, 0)
      } finally {
        await s.close()
        await d.close()
      }
    }
    expect(await run({ column: 'updated_at' })).toBe(4)
    const d0 = dest(dst, 'd')
    expect(await d0.readWatermark(ref)).toEqual({ value: t2, key: ['4'] })
    await d0.close()
    exec(src, `INSERT INTO s VALUES (5,'${t2}','e'),(6,'${t3}','f')`)
    exec(src, `UPDATE s SET v = 'A', updated_at = '${t3}' WHERE id = 1`)
    expect(await run({ column: 'updated_at' })).toBe(3)
    exec(src, `INSERT INTO s VALUES (7,'${t1}','late'),(8,'${t3}','h')`)
    expect(await run({ column: 'updated_at', lookback: '3h' })).toBeGreaterThanOrEqual(2)
    expect(query(dst, 'SELECT * FROM d ORDER BY id')).toEqual(
      query(src, 'SELECT * FROM s ORDER BY id'),
    )
    expect(query(dst, 'SELECT count(*) FROM d')).toEqual([[8]])
    const d1 = dest(dst, 'd')
    expect(await d1.readWatermark(ref)).toEqual({ value: t3, key: ['8'] })
    await d1.close()
  })

  it('a throw from the batch iterator mid-load rolls back rows, DDL and watermark', async () => {
    const f = newFile()
    await load(f, 'rb', simple, [[1n, 'a']], 'append', ['id'])
    const d = dest(f, 'rb')
    const ref = { pipeline: 'p', key: 'rb' }
    await d.write(
      wctx(simple, 'append', ['id'], { ...ref, value: { value: '1' } }),
      batches(simple, [[2n, 'b']]),
    )
    const wider: TableSchema = { columns: [...simple.columns, col('extra', { kind: 'json' })] }
    const failing = async function* (): AsyncIterable<RowBatch> {
      await Promise.resolve()
      yield {
        schema: wider,
        rows: [
          [3n, 'c', '{}'],
          [4n, 'd', null],
        ],
      }
      throw new Error('upstream broke')
    }
    for (const mode of ['append', 'merge', 'truncate_insert', 'replace'] as const)
      await expect(
        d.write(wctx(wider, mode, ['id'], { ...ref, value: { value: '99' } }), failing()),
      ).rejects.toThrow(/upstream broke/)
    await d.close()
    expect(query(f, 'SELECT * FROM rb ORDER BY id')).toEqual([
      [1, 'a'],
      [2, 'b'],
    ])
    const d2 = dest(f, 'rb')
    expect(await d2.readWatermark(ref)).toEqual({ value: '1' })
    await d2.close()
  })

  it('quotes hostile identifiers everywhere', async () => {
    const f = newFile()
    exec(f, 'CREATE TABLE victim (x INT)')
    const raw = 'x"; DROP TABLE victim; -- `t\''
    const table = `"${raw.replace(/"/g, '""')}"`
    const schema: TableSchema = {
      columns: [
        col('id")', { kind: 'int64' }, false),
        col("na'me`; --", { kind: 'string' }),
        col('spa ce 🎉', { kind: 'int32' }),
      ],
    }
    await load(f, table, schema, [[1n, 'a', 1]], 'merge', ['id")'])
    await load(
      f,
      table,
      schema,
      [
        [1n, 'b', 2],
        [2n, 'c', 3],
      ],
      'merge',
      ['id")'],
    )
    const back = await readAll(source(f, { table, incremental: { column: 'spa ce 🎉' } }))
    expect(back.schema.columns.map((c) => c.name)).toEqual(schema.columns.map((c) => c.name))
    expect(back.rows).toEqual([
      [1n, 'b', 2],
      [2n, 'c', 3],
    ])
    expect(query(f, "SELECT name FROM sqlite_master WHERE name = 'victim'")).toEqual([['victim']])
    await expect(load(f, raw, schema, [], 'append')).rejects.toMatchObject({
      code: 'E_SCHEMA_VALUE',
    })
    const wm = dest(f, table)
    await wm.write(
      wctx(schema, 'append', ['id")'], { pipeline: "p'); --", key: 'k"', value: { v: "'" } }),
      batches(schema, [[3n, 'd', 4]]),
    )
    expect(await wm.readWatermark({ pipeline: "p'); --", key: 'k"' })).toEqual({ v: "'" })
    await wm.close()
  })

  it('reads a query incrementally with explicit keys and an initial watermark', async () => {
    const f = newFile()
    exec(
      f,
      "CREATE TABLE e (k TEXT, n BIGINT); INSERT INTO e VALUES ('a', 1), ('b', 2), ('c', 2), ('d', 3)",
    )
    const s = source(f, {
      query: 'SELECT k, n FROM e',
      keys: ['k'],
      incremental: { column: 'n', initial: 2 },
    })
    expect((await readAll(s)).rows).toEqual([
      ['b', 2n],
      ['c', 2n],
      ['d', 3n],
    ])
    expect(s.watermark()).toEqual({ value: '3', key: ['d'] })
    const s2 = source(f, { query: 'SELECT k, n FROM e', keys: ['k'], incremental: { column: 'n' } })
    expect((await readAll(s2, { value: '2', key: ['b'] })).rows).toEqual([
      ['c', 2n],
      ['d', 3n],
    ])
    await s.close()
    await s2.close()
  })

  it('copies within one file while reading (WAL), the watermark read at commit', async () => {
    const f = newFile()
    exec(f, 'CREATE TABLE a (id INTEGER PRIMARY KEY, at TEXT)')
    exec(
      f,
      `INSERT INTO a VALUES ${Array.from({ length: 30 }, (_, i) => `(${i}, 'x${i % 3}')`).join(',')}`,
    )
    const ref = { pipeline: 'copy', key: 'a' }
    const run = async (): Promise<number> => {
      const s = source(f, { table: 'a', incremental: { column: 'id' } })
      const d = dest(f, 'b')
      try {
        const ctx = rctx(await d.readWatermark(ref), 7)
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
    expect(await run()).toBe(30)
    expect(await run()).toBe(0)
    exec(f, "INSERT INTO a VALUES (30, 'new')")
    expect(await run()).toBe(1)
    expect(query(f, 'SELECT count(*), max(id) FROM b')).toEqual([[31, 30]])
  })

  it('aborting a read stops it with E_CANCELLED', async () => {
    const f = newFile()
    exec(
      f,
      `CREATE TABLE m (id INT); INSERT INTO m VALUES ${Array.from({ length: 100 }, (_, i) => `(${i})`).join(',')}`,
    )
    const s = source(f, { table: 'm' })
    const ac = new AbortController()
    let seen = 0
    await expect(
      (async () => {
        for await (const b of s.read({ ...rctx(undefined, 10), signal: ac.signal })) {
          seen += b.rows.length
          ac.abort()
        }
      })(),
    ).rejects.toMatchObject({ code: 'E_CANCELLED' })
    expect(seen).toBe(10)
    await s.close()
  })

  it('reports bad queries, missing tables and bad incremental settings clearly', async () => {
    const f = newFile()
    exec(f, "CREATE TABLE t (id BIGINT, name TEXT); INSERT INTO t VALUES (1, 'a')")
    const bad = source(f, { query: 'SELECT nope FROM nowhere' })
    await expect(readAll(bad)).rejects.toMatchObject({ code: 'E_TASK_FAILED', retryable: false })
    const missing = source(f, { table: 'no_such_table' })
    await expect(missing.schema(rctx())).rejects.toThrow(/does not exist/)
    const lb = source(f, { table: 't', incremental: { column: 'name', lookback: '5m' } })
    await expect(readAll(lb, { value: 'a' })).rejects.toMatchObject({ code: 'E_SCHEMA_VALUE' })
    const ro = sqliteConnector.createDestination(
      { name: 'ro', url: `sqlite:${f}?mode=ro`, options: {} },
      { table: 't' },
    )
    await expect(ro.write(wctx(simple, 'append'), batches(simple, [[2n, 'b']]))).rejects.toThrow(
      /readonly/,
    )
    await Promise.all([bad.close(), missing.close(), lb.close(), ro.close()])
  })

  it('loads and reads 100,000 rows', async () => {
    const f = newFile()
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
    const d = dest(f, 'perf')
    let t = performance.now()
    expect((await d.write(wctx(schema, 'append', ['id']), gen())).rowsWritten).toBe(N)
    const writeMs = performance.now() - t
    await d.close()
    const s = source(f, { table: 'perf' })
    t = performance.now()
    let count = 0
    for await (const b of s.read(rctx(undefined, 10_000))) count += b.rows.length
    const readMs = performance.now() - t
    await s.close()
    expect(count).toBe(N)
    console.log(
      `sqlite: write ${Math.round(N / (writeMs / 1000))} rows/s (${Math.round(writeMs)} ms), read ${Math.round(N / (readMs / 1000))} rows/s (${Math.round(readMs)} ms)`,
    )
  })
})

describe('sqlite destination: refused rows set aside', () => {
  const s3: TableSchema = {
    columns: [
      col('id', { kind: 'int64' }, false),
      col('qty', { kind: 'int32' }),
      col('note', { kind: 'string' }),
    ],
  }
  const strict = (file: string): void => {
    const db = new Sqlite(file)
    db.exec(
      `CREATE TABLE t (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL CHECK (qty >= 0), note TEXT)`,
    )
    db.close()
  }
  const bad = new Map<number, Value[]>([
    [2, [2n, null, 'null']],
    [4, [4n, -1, 'neg']],
    [5, [1n, 1, 'dup']],
  ])
  const rows = Array.from(
    { length: 6 },
    (_, i) => bad.get(i + 1) ?? [BigInt(i + 1), i, `ok${i + 1}`],
  )

  it('loads the good rows, returns the refused ones (append and keyless merge)', async () => {
    for (const mode of ['append', 'merge'] as const) {
      const file = newFile()
      strict(file)
      // a merge on a non-unique column goes through DELETE + INSERT, undone together per row
      const d = dest(file, 't', mode === 'merge' ? { keys: ['note'] } : {})
      try {
        const r = await d.write(
          { ...wctx(s3, mode, mode === 'merge' ? ['note'] : undefined), rejects: { max: 5 } },
          batches(s3, rows, 4),
        )
        expect(r.rejected?.map((x) => x.line)).toEqual([2, 4, 5])
        expect(r.rejected?.[0]?.reason).toMatch(/NOT NULL/)
        expect(r.rejected?.[1]?.reason).toMatch(/CHECK/)
        expect(r.rejected?.[2]?.reason).toMatch(/UNIQUE|PRIMARY/)
        expect(JSON.parse(r.rejected![0]!.raw)).toEqual({ id: '2', qty: null, note: 'null' })
        expect(r.rowsWritten).toBe(3)
      } finally {
        await d.close()
      }
      const db = new Sqlite(file)
      expect(db.prepare('SELECT id FROM t ORDER BY id').pluck().all()).toEqual([1, 3, 6])
      db.close()
    }
  })

  it('more than max refused rows fails with E_ROWS_REJECTED and writes nothing', async () => {
    const file = newFile()
    strict(file)
    const d = dest(file, 't')
    try {
      const err = await d
        .write({ ...wctx(s3, 'append'), rejects: { max: 2 } }, batches(s3, rows))
        .catch((e: unknown) => e)
      expect((err as { code?: string }).code).toBe('E_ROWS_REJECTED')
    } finally {
      await d.close()
    }
    const db = new Sqlite(file)
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0)
    db.close()
  })
})
