import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RowBatch } from '../../../../src/data/row-batch.js'
import { DatasetStore } from '../../../../src/data/datasets/dataset-store.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { formatMicros } from '../../../../src/data/duckdb/format-micros.js'
import { quoteIdentifier } from '../../../../src/data/duckdb/quote-identifier.js'
import { quoteLiteral } from '../../../../src/data/duckdb/quote-literal.js'

let engine: DuckDBEngine
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-duckdb-'))
  engine = await DuckDBEngine.open({ memoryLimit: '256MB', threads: 2, workspaceDir: dir })
})
afterAll(async () => {
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('quoting', () => {
  it('quotes identifiers and literals', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"')
    expect(quoteLiteral("it's")).toBe("'it''s'")
    expect(() => quoteLiteral('a\0b')).toThrow()
  })

  it('round-trips hostile identifiers and literals through DuckDB', async () => {
    const name = 'we"ird; drop table x; --'
    const text = 'o\'neil \\ " ; --'
    const { schema, rows } = await engine.all(
      `SELECT ${quoteLiteral(text)} AS ${quoteIdentifier(name)}`,
    )
    expect(schema.columns[0]!.name).toBe(name)
    expect(rows).toEqual([[text]])
  })
})

describe('formatMicros', () => {
  it('formats dates and timestamps, including before 1970', () => {
    expect(formatMicros(0n)).toBe('1970-01-01T00:00:00')
    expect(formatMicros(-1n)).toBe('1969-12-31T23:59:59.999999')
    expect(formatMicros.date(19_724)).toBe('2024-01-02')
    expect(formatMicros.date(-719_162)).toBe('0001-01-01')
    expect(formatMicros(253_402_300_799_999_999n)).toBe('9999-12-31T23:59:59.999999')
  })
})

describe('DuckDBEngine', () => {
  it('applies memory_limit, threads and disables extension autoinstall', async () => {
    const { rows } = await engine.all(
      `SELECT current_setting('threads'), current_setting('autoinstall_known_extensions'), current_setting('memory_limit')`,
    )
    expect(rows[0]![0]).toBe(2n)
    expect(rows[0]![1]).toBe(false)
    expect(String(rows[0]![2])).toMatch(/MiB|MB/)
  })

  it('converts DuckDB values to our value conventions', async () => {
    const { schema, rows } = await engine.all(`SELECT
      true AS b, 7::INTEGER AS i, 9007199254740993::BIGINT AS big, 1.5::DOUBLE AS f,
      12345678901234567890123456789.123456789::DECIMAL(38,9) AS d, 'ü'::VARCHAR AS s,
      DATE '2024-02-29' AS dt, TIMESTAMP '2024-01-02 03:04:05.000001' AS ts,
      TIMESTAMP '2024-01-02 03:04:05' AS ts0,
      TIMESTAMPTZ '2024-01-02 03:04:05.5+02' AS tz, '{"a":[1,2]}'::JSON AS j,
      '\\xAA\\x00'::BLOB AS bin, [1,2] AS l, {'k': 'v'} AS st, 170141183460469231731687303715884105727::HUGEINT AS h,
      NULL::INTEGER AS n`)
    expect(schema.columns.map((c) => c.type)).toEqual([
      { kind: 'boolean' },
      { kind: 'int32' },
      { kind: 'int64' },
      { kind: 'float64' },
      { kind: 'decimal', precision: 38, scale: 9 },
      { kind: 'string' },
      { kind: 'date' },
      { kind: 'timestamp' },
      { kind: 'timestamp' },
      { kind: 'timestamptz' },
      { kind: 'json' },
      { kind: 'binary' },
      { kind: 'json' },
      { kind: 'json' },
      { kind: 'decimal', precision: 38, scale: 0 },
      { kind: 'int32' },
    ])
    expect(rows[0]).toEqual([
      true,
      7,
      9007199254740993n,
      1.5,
      '12345678901234567890123456789.123456789',
      'ü',
      '2024-02-29',
      '2024-01-02T03:04:05.000001',
      '2024-01-02T03:04:05',
      '2024-01-02T01:04:05.500000Z',
      '{"a":[1,2]}',
      new Uint8Array([0xaa, 0]),
      '[1,2]',
      '{"k":"v"}',
      '170141183460469231731687303715884105727',
      null,
    ])
  })

  it('streams in batches of the requested size and stops early cleanly', async () => {
    const sizes: number[] = []
    for await (const b of engine.stream('SELECT range AS x FROM range(25000)', 10_000)) {
      sizes.push(b.rows.length)
    }
    expect(sizes).toEqual([10_000, 10_000, 5000])
    for await (const b of engine.stream('SELECT range AS x FROM range(1000000)', 100)) {
      expect(b.rows.length).toBe(100)
      break
    }
    const { rows } = await engine.all('SELECT 1')
    expect(rows).toEqual([[1]])
  })

  it('reports the schema of a query without running it', async () => {
    const s = await engine.schemaOf('SELECT 1::BIGINT AS a, now() AS b')
    expect(s.columns.map((c) => [c.name, c.type.kind])).toEqual([
      ['a', 'int64'],
      ['b', 'timestamptz'],
    ])
  })
})

describe('DatasetStore', () => {
  async function* gen(batches: RowBatch[]): AsyncGenerator<RowBatch> {
    for (const b of batches) yield await Promise.resolve(b)
  }
  const schema = {
    columns: [
      { name: 'id', type: { kind: 'int64' as const }, nullable: false },
      {
        name: 'amount',
        type: { kind: 'decimal' as const, precision: 38, scale: 9 },
        nullable: true,
      },
      { name: 'name', type: { kind: 'string' as const }, nullable: true },
      { name: 'at', type: { kind: 'timestamptz' as const }, nullable: true },
      { name: 'day', type: { kind: 'date' as const }, nullable: true },
      { name: 'doc', type: { kind: 'json' as const }, nullable: true },
      { name: 'raw', type: { kind: 'binary' as const }, nullable: true },
      { name: 'ok', type: { kind: 'boolean' as const }, nullable: true },
      { name: 'n', type: { kind: 'int32' as const }, nullable: true },
      { name: 'f', type: { kind: 'float64' as const }, nullable: true },
      { name: 'ts', type: { kind: 'timestamp' as const }, nullable: true },
    ],
  }
  const rows = [
    [
      2n ** 62n + 1n,
      '-12345678901234567890123456789.000000001',
      'ß🎉',
      '2024-01-02T03:04:05.123456Z',
      '1999-12-31',
      '{"a":1}',
      new Uint8Array([1, 2, 255]),
      true,
      -5,
      0.1,
      '2024-01-02T03:04:05.000007',
    ],
    [1n, null, '', null, null, null, null, null, null, null, null],
  ]

  it('writes, describes, reads and removes a dataset', async () => {
    const store = new DatasetStore(join(dir, 'datasets'), engine)
    const info = await store.write(
      'run1',
      'orders',
      gen([
        { schema, rows: rows.slice(0, 1) },
        { schema, rows: rows.slice(1) },
      ]),
    )
    expect(info.rowCount).toBe(2)
    expect(info.path).toBe(join(dir, 'datasets', 'run1', 'orders', 'data.parquet'))
    const d = await store.describe('run1', 'orders')
    expect(d.rowCount).toBe(2)
    expect(d.schema.columns.map((c) => c.type)).toEqual(schema.columns.map((c) => c.type))
    const out = []
    for await (const b of store.read('run1', 'orders')) out.push(...b.rows)
    expect(out).toEqual(rows)
    const { rows: viaSql } = await engine.all(
      `SELECT count(*) FROM ${store.sqlRef('run1', 'orders')} WHERE name = ''`,
    )
    expect(viaSql).toEqual([[1n]])
    await store.remove('run1')
    expect(store.exists('run1', 'orders')).toBe(false)
  })

  it('writes an empty dataset when given a schema, and refuses path tricks', async () => {
    const store = new DatasetStore(join(dir, 'datasets'), engine)
    const info = await store.write('run2', 't', gen([]), schema)
    expect(info.rowCount).toBe(0)
    expect((await store.describe('run2', 't')).rowCount).toBe(0)
    expect(() => store.path('..', 't')).toThrow()
    expect(() => store.path('r', 'a/b')).toThrow()
  })

  it('leaves no file behind when the batches throw', async () => {
    const store = new DatasetStore(join(dir, 'datasets'), engine)
    async function* bad(): AsyncGenerator<RowBatch> {
      yield await Promise.resolve({ schema, rows })
      throw new Error('boom')
    }
    await expect(store.write('run3', 't', bad())).rejects.toThrow('boom')
    expect(store.exists('run3', 't')).toBe(false)
  })

  it('keeps row order across part files', async () => {
    const store = new DatasetStore(join(dir, 'datasets'), engine, 3)
    const small = { columns: [schema.columns[0]!] }
    const batches = [0, 1, 2, 3].map((b) => ({
      schema: small,
      rows: [0, 1].map((i) => [BigInt(b * 2 + i)]),
    }))
    const info = await store.write('run5', 'o', gen(batches))
    expect(info.rowCount).toBe(8)
    const out = []
    for await (const b of store.read('run5', 'o')) out.push(...b.rows.map((r) => r[0]))
    expect(out).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n])
    const { readdirSync } = await import('node:fs')
    expect(readdirSync(store.dir('run5', 'o'))).toEqual(['data.parquet'])
  })

  it('writes a query result directly (fast path)', async () => {
    const store = new DatasetStore(join(dir, 'datasets'), engine)
    const info = await store.writeQuery('run4', 'q', 'SELECT range AS x FROM range(10)')
    expect(info.rowCount).toBe(10)
    expect(info.schema.columns[0]!.type.kind).toBe('int64')
  })
})
