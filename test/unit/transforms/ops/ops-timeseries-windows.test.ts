import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TransformOp } from '../../../../src/core/spec/transform-op-schema.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { col, runOps, type Plain } from './run-ops.js'

// rolling and trend: hand-computed cases and independent JS references.
let engine: DuckDBEngine

/** A fixed pseudo-random sequence in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s / 2147483648
  }
}

interface Point {
  g: string
  s: number
  v: number | null
}

/** Two series with irregular times (ties included) and NULL values. */
function generate(): Point[] {
  const rand = lcg(7)
  const rows: Point[] = []
  for (const g of ['x', 'y']) {
    let s = 0
    for (let i = 0; i < 60; i++) {
      s += Math.floor(rand() * 4) * 15 // 0, 15, 30 or 45 s: ties and gaps
      rows.push({ g, s, v: rand() < 0.15 ? null : Math.round(rand() * 1000) / 10 })
    }
  }
  return rows
}

const GEN = generate()

beforeAll(async () => {
  engine = await DuckDBEngine.open({ threads: 2, memoryLimit: '256MB' })
  // Series a (input order ≠ time order): s = 0, 30, 60, 200, 260, 260 (tie), 600, 320.
  await engine.run(`
    CREATE TABLE r AS SELECT id, g, TIMESTAMP '2024-01-01 00:00:00' + to_seconds(s) AS timestamp, v FROM (VALUES
      (1, 'a', 0, 1.0), (2, 'a', 30, 2.0), (3, 'a', 60, NULL), (4, 'a', 200, 4.0),
      (5, 'a', 260, 5.0), (6, 'a', 260, 6.0), (7, 'a', 600, 7.0), (8, 'a', 320, 8.0),
      (9, 'b', 10, 3.0)
    ) v(id, g, s, v);
    CREATE TABLE r_empty AS SELECT * FROM r WHERE false;
    CREATE TABLE line AS SELECT i AS id, 'l' AS g, TIMESTAMP '2024-01-01' + to_seconds(i * 10) AS timestamp,
      2.0 * (i * 10) + 1 AS v FROM range(20) t(i);
    CREATE TABLE gen AS SELECT * FROM (VALUES ${GEN.map((p, i) => `(${i}, '${p.g}', TIMESTAMP '2024-01-01' + to_seconds(${p.s}), ${p.v ?? 'NULL'}::DOUBLE)`).join(', ')}) v(id, g, timestamp, v);
  `)
})
afterAll(() => engine.close())

const run = (op: TransformOp, table = 'r') => runOps(engine, table, [op])

function closeTo(actual: Plain[], expected: (number | null)[], digits = 9): void {
  expect(actual.length).toBe(expected.length)
  actual.forEach((a, i) => {
    const e = expected[i]!
    if (e === null || a === null) expect([i, a]).toEqual([i, e])
    else expect([i, a as number]).toEqual([i, expect.closeTo(e, digits)])
  })
}

describe('rolling', () => {
  it('time windows are (t − w, t] over irregular times; ties share a window', async () => {
    const r = await run({
      rolling: {
        columns: 'v',
        stats: ['mean', 'count', 'std', 'p95', 'max'],
        windows: ['2m'],
        by: ['g'],
      },
    })
    expect(r.columns).toEqual([
      'id',
      'g',
      'timestamp',
      'v',
      'v_mean_2m',
      'v_count_2m',
      'v_std_2m',
      'v_p95_2m',
      'v_max_2m',
    ])
    // a: 0s {1}; 30s {1,2}; 60s {1,2,NULL}; 200s (80,200] {4}; 260s ×2 (140,260] {4,5,6};
    // 600s {7}; 320s (200,320] {5,6,8} (200 is on the boundary, out). b: {3}.
    closeTo(col(r, 'v_mean_2m'), [1, 1.5, 1.5, 4, 5, 5, 7, 19 / 3, 3])
    expect(col(r, 'v_count_2m')).toEqual([1, 2, 2, 1, 3, 3, 1, 3, 1])
    // sample std: {1,2} → √0.5; {4,5,6} → 1; {5,6,8} → √(7/3); one value → NULL
    closeTo(col(r, 'v_std_2m'), [
      null,
      Math.SQRT1_2,
      Math.SQRT1_2,
      null,
      1,
      1,
      null,
      Math.sqrt(7 / 3),
      null,
    ])
    // p95 of {4,5,6}: 5 + 0.9 = 5.9; {1,2}: 1.95; {5,6,8}: 6 + 0.9·2 = 7.8
    closeTo(col(r, 'v_p95_2m'), [1, 1.95, 1.95, 4, 5.9, 5.9, 7, 7.8, 3])
    expect(col(r, 'v_max_2m')).toEqual([
      '1.0',
      '2.0',
      '2.0',
      '4.0',
      '6.0',
      '6.0',
      '7.0',
      '8.0',
      '3.0',
    ])
  })

  it('row windows count rows in time order, ties in input order; several windows at once', async () => {
    const r = await run({
      rolling: {
        columns: ['v'],
        stats: ['mean', 'sum'],
        rows: [3],
        windows: [60, '1h'],
        by: ['g'],
      },
    })
    expect(r.columns.slice(4)).toEqual([
      'v_mean_1m',
      'v_mean_1h',
      'v_mean_3rows',
      'v_sum_1m',
      'v_sum_1h',
      'v_sum_3rows',
    ])
    // time order of a: 1, 2, NULL, 4, 5, 6, 8 (320s), 7 (600s)
    closeTo(col(r, 'v_mean_3rows'), [1, 1.5, 1.5, 3, 4.5, 5, 7, 19 / 3, 3])
    closeTo(col(r, 'v_sum_3rows'), [1, 3, 3, 6, 9, 15, 21, 19, 3])
    // 1m: (t − 60, t]: 60s sees 30s but not 0s
    closeTo(col(r, 'v_mean_1m'), [1, 1.5, 2, 4, 5.5, 5.5, 7, 8, 3])
    closeTo(col(r, 'v_sum_1h'), [1, 3, 3, 7, 18, 18, 33, 26, 3])
  })

  it('matches a JS reference on generated series with ties and NULLs', async () => {
    const r = await runOps(engine, 'gen', [
      { rolling: { columns: 'v', stats: ['mean', 'min', 'count'], windows: ['90s'], by: ['g'] } },
    ])
    const window = (p: Point) =>
      GEN.filter((q) => q.g === p.g && q.s > p.s - 90 && q.s <= p.s && q.v !== null).map(
        (q) => q.v!,
      )
    const mean = GEN.map((p) => {
      const w = window(p)
      return w.length === 0 ? null : w.reduce((a, b) => a + b, 0) / w.length
    })
    closeTo(col(r, 'v_mean_90s'), mean)
    expect(col(r, 'v_min_90s')).toEqual(
      GEN.map((p) => (window(p).length ? Math.min(...window(p)) : null)),
    )
    expect(col(r, 'v_count_90s')).toEqual(GEN.map((p) => window(p).length))
  })

  it('empty input, and errors: unknown column, bad window, no window', async () => {
    const e = await run({ rolling: { columns: 'v', stats: ['mean'], rows: [2] } }, 'r_empty')
    expect(e.rows).toEqual([])
    await expect(run({ rolling: { columns: 'w', stats: ['mean'], rows: [2] } })).rejects.toThrow(
      'ops[0] rolling: no column "w"',
    )
    await expect(
      run({ rolling: { columns: 'v', stats: ['mean'], windows: ['5 min'] } }),
    ).rejects.toThrow('ops[0] rolling: window "5 min" is not a positive duration')
    await expect(
      run({ rolling: { columns: 'v', stats: ['mean'], windows: ['0s'] } }),
    ).rejects.toThrow('ops[0] rolling: window "0s" is not a positive duration')
    await expect(run({ rolling: { columns: 'v', stats: ['mean'] } })).rejects.toThrow(
      'ops[0] rolling: no window',
    )
  })
})

/** Least-squares slope of (x, y) pairs. */
function slope(points: [number, number][]): number | null {
  const n = points.length
  if (n < 2) return null
  const mx = points.reduce((a, [x]) => a + x, 0) / n
  const my = points.reduce((a, [, y]) => a + y, 0) / n
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0)
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0)
  return sxx === 0 ? null : sxy / sxx
}

describe('trend', () => {
  it('y = 2x + 1 has slope 2 per second, 120 per minute, over any window', async () => {
    const whole = await run({ trend: { columns: 'v' } }, 'line')
    expect(whole.columns).toEqual(['id', 'g', 'timestamp', 'v', 'v_trend'])
    closeTo(col(whole, 'v_trend'), new Array<number>(20).fill(2))
    const perMinute = await run({ trend: { columns: 'v', window: '1m', per: '1m' } }, 'line')
    // the first row of a window has one point: no slope
    closeTo(col(perMinute, 'v_trend_1m'), [null, ...new Array<number>(19).fill(120)])
  })

  it('noisy series match a JS least-squares fit, per group, NULLs left out', async () => {
    const r = await runOps(engine, 'gen', [
      { trend: { columns: 'v', by: ['g'] } },
      { trend: { columns: 'v', by: ['g'], window: '5m', per: '1h' } },
    ])
    const fit = (p: Point, window?: number) =>
      slope(
        GEN.filter(
          (q) =>
            q.g === p.g &&
            q.v !== null &&
            (window === undefined || (q.s > p.s - window && q.s <= p.s)),
        ).map((q) => [q.s, q.v!]),
      )
    closeTo(
      col(r, 'v_trend'),
      GEN.map((p) => fit(p)),
      6,
    )
    closeTo(
      col(r, 'v_trend_5m'),
      GEN.map((p) => {
        const s = fit(p, 300)
        return s === null ? null : s * 3600
      }),
      6,
    )
  })

  it('one row or equal times give NULL; empty input gives no rows', async () => {
    expect(col(await run({ trend: { columns: 'v', by: ['g'] } }), 'v_trend').at(-1)).toBe(null)
    const ties = await run({ trend: { columns: 'v' } }, 'r WHERE id IN (5, 6)')
    expect(col(ties, 'v_trend')).toEqual([null, null])
    expect((await run({ trend: { columns: 'v' } }, 'r_empty')).rows).toEqual([])
  })
})
