import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ColumnType, TableSchema, Value } from '../../../../src/data/column-type.js'
import { DatasetStore } from '../../../../src/data/datasets/dataset-store.js'
import { appendColumns } from '../../../../src/data/duckdb/append-columns.js'
import { appendRows } from '../../../../src/data/duckdb/append-rows.js'
import { columnarRowBatch, isColumnar } from '../../../../src/data/duckdb/columnar-row-batch.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { duckdbTypeName } from '../../../../src/data/duckdb/duckdb-type-name.js'
import { quoteIdentifier } from '../../../../src/data/duckdb/quote-identifier.js'
import { streamColumns } from '../../../../src/data/duckdb/stream-columns.js'

let engine: DuckDBEngine
let dir: string
let tables = 0

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-columnar-'))
  engine = await DuckDBEngine.open({ memoryLimit: '256MB', threads: 2, workspaceDir: dir })
})
afterAll(async () => {
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
})

const T = (kind: string, more: object = {}): ColumnType => ({ kind, ...more }) as ColumnType

/** Creates a table of `types`, lets `append` fill it, and reads it back through engine.all. */
async function roundTrip(
  types: ColumnType[],
  append: (
    a: Awaited<ReturnType<Awaited<ReturnType<DuckDBEngine['connect']>>['createAppender']>>,
  ) => void,
): Promise<Value[][]> {
  const table = `t${++tables}`
  const cols = types.map((t, i) => `${quoteIdentifier(`c${i}`)} ${duckdbTypeName(t)}`).join(', ')
  const c = await engine.connect()
  try {
    await c.run(`CREATE TABLE ${table} (${cols})`)
    const appender = await c.createAppender(table)
    append(appender)
    appender.closeSync()
  } finally {
    engine.release(c)
  }
  return (await engine.all(`SELECT * FROM ${table} ORDER BY rowid`)).rows
}

const TYPES = [
  T('int64'),
  T('decimal', { precision: 38, scale: 10 }),
  T('timestamptz'),
  T('timestamp'),
  T('date'),
  T('binary'),
  T('boolean'),
  T('int32'),
  T('float64'),
  T('json'),
  T('string'),
]

describe('appendColumns / appendRows', () => {
  it('keeps every type exact, NULLs included', async () => {
    const vectors: Value[][] = [
      [2n ** 63n - 1n, -(2n ** 63n), null],
      ['12345678901234567890123456.0123456789', '-0.0000000001', null],
      ['2024-03-01T12:30:00+02:00', '1970-01-01T00:00:00.000001Z', null],
      ['2024-03-01T12:30:00.123456', '0001-01-01T00:00:00', null],
      ['2024-02-29', '9999-12-31', null],
      [new Uint8Array([0, 255, 10]), new Uint8Array([]), null],
      [true, false, null],
      [2147483647, -2147483648, null],
      [0.1, -1.5e300, null],
      ['{"a":[1,2]}', '"x"', null],
      ['héllo 😀', '', null],
    ]
    const rows = await roundTrip(TYPES, (a) => appendColumns(a, TYPES, vectors, 3))
    expect(rows).toEqual([
      [
        2n ** 63n - 1n,
        '12345678901234567890123456.0123456789',
        '2024-03-01T10:30:00Z',
        '2024-03-01T12:30:00.123456',
        '2024-02-29',
        new Uint8Array([0, 255, 10]),
        true,
        2147483647,
        0.1,
        '{"a":[1,2]}',
        'héllo 😀',
      ],
      [
        -(2n ** 63n),
        '-0.0000000001',
        '1970-01-01T00:00:00.000001Z',
        '0001-01-01T00:00:00',
        '9999-12-31',
        new Uint8Array([]),
        false,
        -2147483648,
        -1.5e300,
        '"x"',
        '',
      ],
      TYPES.map(() => null),
    ])
  })

  it('converts values not yet in the JS form of the column type', async () => {
    const types = [T('int64'), T('int32'), T('float64'), T('boolean'), T('binary'), T('string')]
    const rows = await roundTrip(types, (a) =>
      appendColumns(a, types, [['42'], ['7'], ['2.5'], [1], ['ab'], [12n]], 1),
    )
    expect(rows).toEqual([[42n, 7, 2.5, true, new TextEncoder().encode('ab'), '12']])
  })

  it('crosses 2048-row chunk boundaries in order, and appends nothing for no rows', async () => {
    const n = 2048 * 2 + 3
    const types = [T('int64'), T('string')]
    const ids = Array.from({ length: n }, (_, i) => BigInt(i))
    const names = Array.from({ length: n }, (_, i) => (i % 2048 === 0 ? null : `n${i}`))
    const rows = await roundTrip(types, (a) => {
      appendColumns(a, types, [[], []], 0)
      appendColumns(a, types, [ids, names], n)
    })
    expect(rows).toHaveLength(n)
    expect(rows[0]).toEqual([0n, null])
    expect(rows[2047]).toEqual([2047n, 'n2047'])
    expect(rows[2048]).toEqual([2048n, null])
    expect(rows[n - 1]).toEqual([BigInt(n - 1), `n${n - 1}`])
  })

  it('appendRows pads short rows with NULL', async () => {
    const types = [T('int32'), T('string'), T('decimal', { precision: 5, scale: 2 })]
    const schema: TableSchema = {
      columns: types.map((type, i) => ({ name: `c${i}`, type, nullable: true })),
    }
    const rows = await roundTrip(types, (a) => appendRows(a, schema, [[1, 'a', '1.50'], [2], []]))
    expect(rows).toEqual([
      [1, 'a', '1.50'],
      [2, null, null],
      [null, null, null],
    ])
  })
})

describe('columnarRowBatch', () => {
  it('builds rows only when read, once', () => {
    const schema: TableSchema = { columns: [] }
    const b = columnarRowBatch(
      schema,
      [
        [1, 2],
        ['a', null],
      ],
      2,
    )
    expect(isColumnar(b)).toBe(true)
    expect(isColumnar({ schema, rows: [] })).toBe(false)
    expect(b.rows).toEqual([
      [1, 'a'],
      [2, null],
    ])
    expect(b.rows).toBe(b.rows)
    expect(columnarRowBatch(schema, [[]], 0).rows).toEqual([])
  })
})

describe('streamColumns', () => {
  it('yields the values of engine.stream, column by column, in batches of batchRows', async () => {
    const sql = `SELECT range AS id, CASE WHEN range % 3 = 0 THEN NULL ELSE 'v' || range END AS s,
        (range / 4)::DECIMAL(10,2) AS d, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(range) AS t
      FROM range(5000)`
    const expected: Value[][] = []
    for await (const b of engine.stream(sql)) expected.push(...(b.rows as Value[][]))
    const sizes: number[] = []
    const got: Value[][] = []
    for await (const b of streamColumns(engine, sql, 3000)) {
      sizes.push(b.rowCount)
      expect(b.vectors.map((v) => v.length)).toEqual([
        b.rowCount,
        b.rowCount,
        b.rowCount,
        b.rowCount,
      ])
      got.push(...(b.rows as Value[][]))
      expect(b.schema.columns.map((c) => c.type.kind)).toEqual([
        'int64',
        'string',
        'decimal',
        'timestamptz',
      ])
    }
    expect(sizes).toEqual([3000, 2000])
    expect(got).toEqual(expected)
    expect(got[3]).toEqual([3n, null, '0.75', '2024-01-01T00:00:03Z'])
  })

  it('yields nothing for no rows, one batch for one row, and stops early', async () => {
    const none = []
    for await (const b of streamColumns(engine, 'SELECT 1 AS x WHERE false')) none.push(b)
    expect(none).toEqual([])
    const one = []
    for await (const b of streamColumns(engine, 'SELECT 1::INTEGER AS x')) one.push(b)
    expect(one.map((b) => [b.rowCount, b.vectors])).toEqual([[1, [[1]]]])
    let seen = 0
    for await (const b of streamColumns(engine, 'SELECT * FROM range(100000)', 1000)) {
      seen += b.rowCount
      break
    }
    expect(seen).toBe(1000)
    await expect(async () => {
      for await (const _ of streamColumns(engine, 'SELECT * FROM no_such_table')) void _
    }).rejects.toThrow(/no_such_table/)
  })
})

describe('DatasetStore.write with columnar batches', () => {
  it('writes columnar and row batches of one dataset alike', async () => {
    const store = new DatasetStore(join(dir, 'datasets'), engine, 3)
    const schema: TableSchema = {
      columns: [
        { name: 'id', type: T('int64'), nullable: true },
        { name: 'at', type: T('timestamptz'), nullable: true },
      ],
    }
    const info = await store.write('r1', 'mixed', [
      columnarRowBatch(
        schema,
        [
          [1n, 2n],
          ['2024-01-01T01:00:00+01:00', null],
        ],
        2,
      ),
      { schema, rows: [[3n, '2024-01-02T00:00:00Z']] },
      columnarRowBatch(schema, [[], []], 0),
      columnarRowBatch(
        schema,
        [
          [4n, 5n],
          [null, '2024-01-03T00:00:00Z'],
        ],
        2,
      ),
    ])
    expect(info.rowCount).toBe(5)
    const rows: Value[][] = []
    for await (const b of store.read('r1', 'mixed')) rows.push(...(b.rows as Value[][]))
    expect(rows).toEqual([
      [1n, '2024-01-01T00:00:00Z'],
      [2n, null],
      [3n, '2024-01-02T00:00:00Z'],
      [4n, null],
      [5n, '2024-01-03T00:00:00Z'],
    ])
  })
})
