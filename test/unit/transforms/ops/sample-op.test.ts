import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TransformOp } from '../../../../src/core/spec/transform-op-schema.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { col, runOps } from './run-ops.js'

let one: DuckDBEngine
let four: DuckDBEngine

const SETUP = `
  CREATE TABLE big AS SELECT i AS id, i % 7 AS s FROM range(200000) r(i) ORDER BY hash(i);
  CREATE TABLE strata AS SELECT * FROM (VALUES
    (1, 'a', 5), (2, 'a', 3), (3, 'b', NULL), (4, 'a', 1), (5, 'c', 9), (6, 'a', 3),
    (7, 'b', 2), (8, 'a', 7), (9, 'b', 4), (10, 'b', 6), (11, 'a', 0), (12, 'b', 8)
  ) v(id, s, v);
  CREATE TABLE nothing AS SELECT * FROM strata WHERE false;
`

beforeAll(async () => {
  one = await DuckDBEngine.open({ threads: 1, memoryLimit: '256MB' })
  four = await DuckDBEngine.open({ threads: 4, memoryLimit: '256MB' })
  await one.run(SETUP)
  await four.run(SETUP)
})
afterAll(async () => {
  await one.close()
  await four.close()
})

const ids = async (ops: TransformOp[], table = 'strata', engine = one) =>
  col(await runOps(engine, table, ops), 'id')

const count = (values: unknown[], v: unknown) => values.filter((x) => x === v).length

describe('sample', () => {
  it('n keeps exactly n rows in input order; the same for any thread count', async () => {
    const a = await ids([{ sample: { n: 500, seed: 7 } }], 'big', one)
    const b = await ids([{ sample: { n: 500, seed: 7 } }], 'big', four)
    expect(a).toHaveLength(500)
    expect(b).toEqual(a)
    const c = await ids([{ sample: { n: 500, seed: 8 } }], 'big', four)
    expect(c).not.toEqual(a)
    expect(await ids([{ sample: { n: 500 } }], 'big', four)).toEqual(
      await ids([{ sample: { n: 500, seed: 42 } }], 'big', one),
    )
  })

  it('fraction keeps round(fraction × rows) per stratum, deterministic across threads', async () => {
    const a = await runOps(one, 'big', [{ sample: { fraction: 0.01, stratify_by: 's' } }])
    const b = await runOps(four, 'big', [{ sample: { fraction: 0.01, stratify_by: 's' } }])
    expect(b.rows).toEqual(a.rows)
    // 200000 rows, i % 7: strata 0..4 hold 28572 rows, 5 and 6 hold 28571 → 286 each (285.7 and 285.71 round up)
    const s = col(a, 's')
    for (let k = 0; k < 7; k++) expect(count(s, k)).toBe(286)
  })

  it('fraction on a small table: halves round up, a one-row stratum keeps its row at 0.5', async () => {
    // a: 6 rows → 3; b: 5 rows → round(2.5) = 3; c: 1 row → round(0.5) = 1
    const r = await runOps(one, 'strata', [{ sample: { fraction: 0.5, stratify_by: ['s'] } }])
    const s = col(r, 's')
    expect([count(s, 'a'), count(s, 'b'), count(s, 'c')]).toEqual([3, 3, 1])
    const ordered = col(r, 'id') as number[]
    expect(ordered).toEqual([...ordered].sort((x, y) => x - y))
    expect(await ids([{ sample: { fraction: 0 } }])).toEqual([])
    expect(await ids([{ sample: { fraction: 1 } }])).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ])
  })

  it('n per stratum, and n larger than the input keeps everything', async () => {
    const s = col(await runOps(one, 'strata', [{ sample: { n: 2, stratify_by: 's' } }]), 's')
    expect([count(s, 'a'), count(s, 'b'), count(s, 'c')]).toEqual([2, 2, 1])
    expect(await ids([{ sample: { n: 100 } }])).toHaveLength(12)
  })

  it('every n-th row in order_by order (NULLs last), or in input order', async () => {
    // by v: 0 (11), 1 (4), 2 (7), 3 (2), 3 (6, tie: input order puts 2 first), 4 (9), 5 (1), 6 (10), 7 (8), 8 (12), 9 (5), NULL (3)
    // → positions 1, 4, 7, 10: ids 11, 2, 1, 12, output in input order
    expect(await ids([{ sample: { every: 3, order_by: 'v' } }])).toEqual([1, 2, 11, 12])
    expect(await ids([{ sample: { every: 5 } }])).toEqual([1, 6, 11])
    // per stratum a (1 2 4 6 8 11) and b (3 7 9 10 12), input order
    expect(await ids([{ sample: { every: 2, stratify_by: 's' } }])).toEqual([1, 3, 4, 5, 8, 9, 12])
  })

  it('handles empty input and a single row', async () => {
    expect(await ids([{ sample: { n: 3 } }], 'nothing')).toEqual([])
    expect(await ids([{ filter: 'id = 5' }, { sample: { every: 10 } }])).toEqual([5])
  })

  it('rejects an unknown stratum column', async () => {
    await expect(ids([{ sample: { n: 1, stratify_by: 'ss' } }])).rejects.toThrow(
      'ops[0] sample: no column "ss"; columns: id, s, v',
    )
  })
})
