// The fast column paths a code transform's workers use to read and write DuckDB vectors
// (duckdbColumnReader through streamColumns, and appendColumns' direct fills), checked against
// DuckDB's own value conversion (engine.stream) on every type they handle, NULLs and chunk
// boundaries included.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ColumnType, Value } from '../../../../src/data/column-type.js'
import { appendColumns } from '../../../../src/data/duckdb/append-columns.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { duckdbTypeName } from '../../../../src/data/duckdb/duckdb-type-name.js'
import { streamColumns } from '../../../../src/data/duckdb/stream-columns.js'

let engine: DuckDBEngine
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-fast-io-'))
  engine = await DuckDBEngine.open({ memoryLimit: '256MB', threads: 1, workspaceDir: dir })
})
afterAll(async () => {
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
})

async function rowsOf(sql: string): Promise<Value[][]> {
  const rows: Value[][] = []
  for await (const b of engine.stream(sql)) rows.push(...(b.rows as Value[][]))
  return rows
}

describe('streamColumns reads vectors directly', () => {
  it('gives the values of engine.stream for every fixed-width type and text, NULLs included', async () => {
    const sql = `SELECT
        CASE WHEN range % 5 = 0 THEN NULL ELSE range % 2 = 0 END AS b,
        (range % 100 - 50)::TINYINT AS i8, (range * 7 - 20000)::SMALLINT AS i16,
        CASE WHEN range % 9 = 0 THEN NULL ELSE (range * 400003 - 1000000000)::INTEGER END AS i32,
        CASE WHEN range % 4 = 0 THEN NULL ELSE range * 3000000000000 - 9000000000000 END AS i64,
        (range % 200)::UTINYINT AS u8, (range % 60000)::USMALLINT AS u16, (range * 100000)::UINTEGER AS u32,
        (range / 3)::FLOAT AS f32, CASE WHEN range % 6 = 0 THEN NULL ELSE range / 7 END AS f64,
        CASE range % 7 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'héllo' WHEN 3 THEN 'twelve chars'
          WHEN 4 THEN 'thirteen char' WHEN 5 THEN 'a much longer text, past the inline limit ' || range
          ELSE 'x' || range END AS s,
        '😀' || (range % 3) AS emoji
      FROM range(5000)`
    const expected = await rowsOf(sql)
    const got: Value[][] = []
    for await (const b of streamColumns(engine, sql, 1500)) got.push(...(b.rows as Value[][]))
    expect(got).toEqual(expected)
    expect(got[2]).toEqual([
      true,
      -48,
      -19986,
      -999199994,
      -3000000000000n,
      2,
      2,
      200000n,
      expect.closeTo(0.6667, 4),
      2 / 7,
      'héllo',
      '😀2',
    ])
  })
})

describe('appendColumns writes vectors directly', () => {
  it('round-trips short, long, non-ASCII and NULL text and every fixed-width kind across chunks', async () => {
    const n = 2048 * 2 + 5
    const types: ColumnType[] = [
      { kind: 'boolean' },
      { kind: 'int32' },
      { kind: 'int64' },
      { kind: 'float64' },
      { kind: 'string' },
      { kind: 'timestamptz' },
    ]
    const texts = ['', 'a', 'twelve chars', 'thirteen char', 'é', 'héllo wörld, long', 'nul\0byte']
    const vectors: Value[][] = [
      Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : i % 2 === 0)),
      Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : i - 2000)),
      Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : BigInt(i) * 10n ** 15n)),
      Array.from({ length: n }, (_, i) => (i % 17 === 0 ? null : i / 3)),
      Array.from({ length: n }, (_, i) => (i % 8 === 7 ? null : texts[i % 8]!)),
      Array.from({ length: n }, (_, i) => (i % 2 === 0 ? null : '2024-03-01T12:30:00+02:00')),
    ]
    const c = await engine.connect()
    try {
      await c.run(
        `CREATE TABLE t (${types.map((t, i) => `c${i} ${duckdbTypeName(t)}`).join(', ')})`,
      )
      const a = await c.createAppender('t')
      appendColumns(a, types, vectors, n)
      a.closeSync()
    } finally {
      engine.release(c)
    }
    const rows = (await engine.all('SELECT * FROM t')).rows
    expect(rows).toHaveLength(n)
    const expected = Array.from({ length: n }, (_, r) =>
      vectors.map((v, k) => (k === 5 && v[r] !== null ? '2024-03-01T10:30:00Z' : v[r])),
    )
    expect(rows).toEqual(expected)
    // text written inline must compare equal to the same text made by DuckDB
    const eq = (await engine.all(`SELECT count(*) FROM t WHERE c4 = 'twelve chars'`)).rows
    expect(eq[0]?.[0]).toBe(BigInt(vectors[4]!.filter((s) => s === 'twelve chars').length))
  })

  it('refuses an int64 out of range, as before', async () => {
    const c = await engine.connect()
    try {
      await c.run('CREATE TABLE big (x BIGINT)')
      const a = await c.createAppender('big')
      expect(() => appendColumns(a, [{ kind: 'int64' }], [[2n ** 64n]], 1)).toThrow(/int64/)
      a.closeSync()
    } finally {
      engine.release(c)
    }
  })
})
