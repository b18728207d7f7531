import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TransformOp } from '../../../../src/core/spec/transform-op-schema.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { col, runOps } from './run-ops.js'

// rate, increase, lag and delta, hand-computed.
let engine: DuckDBEngine

beforeAll(async () => {
  engine = await DuckDBEngine.open({ threads: 2, memoryLimit: '256MB' })
  // Series a: 10, 20, 5 (reset), 15 at 0s, 10s, 20s, 40s; a NULL value at 30s.
  // Series b: input order differs from time order; a tie at 10s; a NULL time.
  await engine.run(`
    CREATE TABLE c AS SELECT id, g, TIMESTAMP '2024-01-01 00:00:00' + to_seconds(s) AS timestamp, v FROM (VALUES
      (1, 'a', 0, 10), (2, 'a', 10, 20), (3, 'a', 20, 5), (4, 'a', 30, NULL), (5, 'a', 40, 15),
      (6, 'b', 10, 7), (7, 'b', 0, 3), (8, 'b', 10, 9), (9, 'b', NULL, 100), (10, 'b', 20, 1)
    ) v(id, g, s, v);
    CREATE TABLE c_empty AS SELECT * FROM c WHERE false;
    CREATE TABLE c_one AS SELECT * FROM c WHERE id = 1;
    CREATE TABLE c_text AS SELECT id, CAST(timestamp AS VARCHAR) AS timestamp, v FROM c;
  `)
})
afterAll(() => engine.close())

const run = (op: TransformOp, table = 'c') => runOps(engine, table, [op])

describe('increase and rate', () => {
  it('a decrease is a reset: 10, 20, 5, 15 → 10, 5, 10 (total 25)', async () => {
    const r = await run({ increase: { columns: 'v', by: ['g'] } })
    expect(r.columns).toEqual(['id', 'g', 'timestamp', 'v', 'v_increase'])
    const inc = col(r, 'v_increase')
    // a: NULL, 10, 5 (reset), NULL (no value), 10 (vs 5 at 20s)
    // b by time then input order: 7 (0s) 3; 6 (10s) 7 → 4; 8 (10s) 9 → 2; 10 (20s) 1 → reset 1;
    // 9 (NULL time) → NULL
    expect(inc).toEqual([null, 10, 5, null, 10, 4, null, 2, null, 1])
    const a = inc.slice(0, 5).reduce((s: number, x) => s + ((x as number | null) ?? 0), 0)
    expect(a).toBe(25)
  })

  it('rate divides by the seconds since the previous sample; equal times give NULL', async () => {
    const r = await run({ rate: { columns: ['v'], by: ['g'] } })
    // a: 10/10 = 1, 5/10 = 0.5, NULL, 10/20 = 0.5 (previous sample at 20s)
    // b: row 6: 4 / 10s = 0.4; row 8: 2 / 0s → NULL; row 10: 1 / 10s = 0.1
    expect(col(r, 'v_rate')).toEqual([null, 1, 0.5, null, 0.5, 0.4, null, null, null, 0.1])
  })

  it('without by the rows are one series', async () => {
    const r = await run({ increase: { columns: 'v' } }, "c WHERE g = 'a'")
    expect(col(r, 'v_increase')).toEqual([null, 10, 5, null, 10])
  })

  it('empty input and a single row', async () => {
    expect((await run({ rate: { columns: 'v', by: ['g'] } }, 'c_empty')).rows).toEqual([])
    const one = await run({ increase: { columns: 'v' } }, 'c_one')
    expect(col(one, 'v_increase')).toEqual([null])
  })

  it('reports an unknown column and a non-timestamp time column with the op index', async () => {
    await expect(run({ rate: { columns: 'vv' } })).rejects.toThrow(
      'ops[0] rate: no column "vv"; columns: id, g, timestamp, v',
    )
    await expect(run({ rate: { columns: 'v', time: 'ts' } })).rejects.toThrow(
      'ops[0] rate: no column "ts"',
    )
    await expect(run({ increase: { columns: 'v' } }, 'c_text')).rejects.toThrow(
      /ops\[0\] increase: column "timestamp" is VARCHAR, not a timestamp \(hint: cast it first/,
    )
  })
})

describe('lag and delta', () => {
  it('n rows back per series in time order (ties in input order), NULL before the start', async () => {
    const r = await run({ lag: { columns: 'v', by: ['g'], n: [1, 2] } })
    expect(r.columns).toEqual(['id', 'g', 'timestamp', 'v', 'v_lag_1', 'v_lag_2'])
    // b in order: 7(3), 6(7), 8(9), 10(1), 9(100, NULL time last)
    expect(col(r, 'v_lag_1')).toEqual([null, 10, 20, 5, null, 3, null, 7, 1, 9])
    expect(col(r, 'v_lag_2')).toEqual([null, null, 10, 20, 5, null, null, 3, 9, 7])
  })

  it('delta is the value minus the lag; NULL when either is NULL', async () => {
    const r = await run({ delta: { columns: ['v'], by: ['g'] } })
    expect(col(r, 'v_delta_1')).toEqual([null, 10, -15, null, null, 4, null, 2, 99, -8])
  })

  it('empty input, a single row, and a taken output name', async () => {
    expect((await run({ delta: { columns: 'v' } }, 'c_empty')).rows).toEqual([])
    expect(col(await run({ lag: { columns: 'v' } }, 'c_one'), 'v_lag_1')).toEqual([null])
    await expect(
      runOps(engine, 'c', [{ lag: { columns: 'v' } }, { lag: { columns: 'v' } }]),
    ).rejects.toThrow('ops[1] lag: the output would have two columns named "v_lag_1"')
  })
})
