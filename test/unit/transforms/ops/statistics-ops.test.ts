import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TransformOp } from '../../../../src/core/spec/transform-op-schema.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { col, runOps, type Plain } from './run-ops.js'

// Independent JS reference implementations of impute and outliers, checked against DuckDB on
// generated data with NULL runs, ties, NULL group keys and NULL order values.

interface Row {
  g: string | null
  t: number | null
  x: number | null
}

/** Row indices per group, ordered by t (NULLs last), ties in input order. */
function groups(rows: Row[], byGroup: boolean): number[][] {
  const map = new Map<string, number[]>()
  rows.forEach((r, i) => {
    const key = byGroup ? JSON.stringify(r.g) : ''
    map.set(key, [...(map.get(key) ?? []), i])
  })
  const tOf = (i: number) => rows[i]!.t ?? Infinity
  return [...map.values()].map((ix) => [...ix].sort((a, b) => tOf(a) - tOf(b) || a - b))
}

function quantile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null
  const pos = (sorted.length - 1) * p
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

function refImpute(
  rows: Row[],
  method: 'ffill' | 'bfill' | 'linear' | 'mean' | 'median',
  byGroup: boolean,
  maxGap?: number,
): (number | null)[] {
  const out = rows.map((r) => r.x)
  for (const seq of groups(rows, byGroup)) {
    const xs = seq.map((i) => rows[i]!.x)
    const ts = seq.map((i) => rows[i]!.t)
    const present = xs.filter((v): v is number => v !== null).sort((a, b) => a - b)
    const runLen = new Array<number>(seq.length).fill(0)
    for (let s = 0; s < seq.length;) {
      if (xs[s] !== null) {
        s++
        continue
      }
      let e = s
      while (e < seq.length && xs[e] === null) e++
      for (let k = s; k < e; k++) runLen[k] = e - s
      s = e
    }
    seq.forEach((rowIndex, p) => {
      if (xs[p] !== null) return
      if (maxGap !== undefined && runLen[p]! > maxGap) return
      let fill: number | null = null
      if (method === 'ffill') {
        for (let q = p - 1; q >= 0 && fill === null; q--) fill = xs[q]!
      } else if (method === 'bfill') {
        for (let q = p + 1; q < seq.length && fill === null; q++) fill = xs[q]!
      } else if (method === 'mean') {
        fill = present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length
      } else if (method === 'median') {
        fill = quantile(present, 0.5)
      } else {
        const t = ts[p]!
        let prev = -1
        let next = -1
        for (let q = p - 1; q >= 0 && prev < 0; q--) if (xs[q] !== null && ts[q] !== null) prev = q
        for (let q = p + 1; q < seq.length && next < 0; q++)
          if (xs[q] !== null && ts[q] !== null) next = q
        if (t !== null && prev >= 0 && next >= 0) {
          const [pv, nv, pt, nt] = [xs[prev]!, xs[next]!, ts[prev]!, ts[next]!]
          fill = nt === pt ? pv : pv + ((nv - pv) * (t - pt)) / (nt - pt)
        }
      }
      out[rowIndex] = fill
    })
  }
  return out
}

function refBounds(values: number[], method: 'iqr' | 'zscore', k: number): [number, number] | null {
  if (values.length === 0) return null
  if (method === 'iqr') {
    const s = [...values].sort((a, b) => a - b)
    const q1 = quantile(s, 0.25)!
    const q3 = quantile(s, 0.75)!
    return [q1 - k * (q3 - q1), q3 + k * (q3 - q1)]
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length)
  return [mean - k * std, mean + k * std]
}

function refOutliers(rows: Row[], method: 'iqr' | 'zscore', k: number, byGroup: boolean) {
  const bounds = new Map<number, [number, number] | null>()
  for (const seq of groups(rows, byGroup)) {
    const b = refBounds(
      seq.map((i) => rows[i]!.x).filter((v): v is number => v !== null),
      method,
      k,
    )
    for (const i of seq) bounds.set(i, b)
  }
  return rows.map((r, i) => {
    const b = bounds.get(i)!
    const flag = r.x !== null && b !== null && (r.x < b[0] || r.x > b[1])
    const clip = r.x === null || b === null ? r.x : Math.min(b[1], Math.max(b[0], r.x))
    return { flag, clip }
  })
}

/** A fixed pseudo-random series: 3 groups (one NULL), NULL runs of 1–4, tied and NULL times. */
function generate(): Row[] {
  let s = 12345
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s / 2147483648
  }
  const rows: Row[] = []
  const clock = new Map<string, number>()
  for (let i = 0; i < 90; i++) {
    const g = ['a', 'b', null][Math.floor(rand() * 3)]!
    const key = String(g)
    const step = [0, 60, 90, 300][Math.floor(rand() * 4)]! // 0: a tie with the previous time
    const t = (clock.get(key) ?? 1_700_000_000) + step
    clock.set(key, t)
    const gap = rand() < 0.35
    const x = gap ? null : Math.round(rand() * 1000) / 10 + (rand() < 0.08 ? 500 : 0)
    rows.push({ g, t: rand() < 0.05 ? null : t, x })
  }
  rows.push({ g: 'a', t: null, x: 7 }, { g: 'a', t: null, x: null })
  return rows
}

const sqlNum = (v: number | null) => (v === null ? 'NULL' : String(v))
const sqlText = (v: string | null) => (v === null ? 'NULL' : `'${v}'`)

let engine: DuckDBEngine
const data = generate()

beforeAll(async () => {
  engine = await DuckDBEngine.open({ threads: 2, memoryLimit: '256MB' })
  const values = data
    .map(
      (r, i) =>
        `(${i}, ${sqlText(r.g)}, ${r.t === null ? 'NULL' : `to_timestamp(${r.t})::TIMESTAMP`}, ${sqlNum(r.t)}, ${sqlNum(r.x)}::DOUBLE)`,
    )
    .join(',\n')
  await engine.run(`
    CREATE TABLE series AS SELECT * FROM (VALUES ${values}) v(id, g, ts, tn, x);
    CREATE TABLE small AS SELECT * FROM (VALUES
      (1, 's', 0, NULL::INTEGER), (2, 's', 1, 10), (3, 's', 2, NULL), (4, 's', 4, NULL),
      (5, 's', 5, 40), (6, 's', 6, NULL), (7, 's', 7, NULL), (8, 's', 8, NULL), (9, 's', 9, 0),
      (10, 'u', 1, NULL), (11, 'u', 3, 8), (12, 'u', 3, 2), (13, 'u', 4, NULL), (14, 'u', 5, 6)
    ) v(id, g, t, x);
    CREATE TABLE pts AS SELECT * FROM (VALUES
      (1, 'p', 1.0::DOUBLE), (2, 'p', 2), (3, 'p', 3), (4, 'p', 4), (5, 'p', 100), (6, 'p', NULL),
      (7, 'q', 5), (8, 'q', 5), (9, 'q', 5), (10, 'r', -3)
    ) v(id, g, x);
  `)
})
afterAll(() => engine.close())

const closeTo = (actual: Plain[], expected: (number | null)[]) => {
  expect(actual.length).toBe(expected.length)
  actual.forEach((a, i) => {
    const e = expected[i]!
    if (e === null || a === null) expect([i, a]).toEqual([i, e])
    else expect(a as number).toBeCloseTo(e, 9)
  })
}

describe('impute: hand-computed', () => {
  // group s by t: x = NULL, 10, NULL(t2), NULL(t4), 40, NULL, NULL, NULL, 0
  // group u by t then input order: NULL(t1), 8 (t3), 2 (t3, tie), NULL (t4), 6 (t5)
  const run = (impute: Record<string, unknown>) =>
    runOps(engine, 'small', [
      { impute: { columns: ['x'], by: ['g'], order_by: 't', ...impute } } as TransformOp,
    ])

  it('ffill and bfill, edges stay NULL', async () => {
    expect(col(await run({ method: 'ffill' }), 'x')).toEqual([
      null,
      10,
      10,
      10,
      40,
      40,
      40,
      40,
      0,
      null,
      8,
      2,
      2,
      6,
    ])
    expect(col(await run({ method: 'bfill' }), 'x')).toEqual([
      10, 10, 40, 40, 40, 0, 0, 0, 0, 8, 8, 2, 6, 6,
    ])
  })

  it('linear interpolates by the order value, no extrapolation, ties take the previous value', async () => {
    // s: t2, t4 between (t1, 10) and (t5, 40): 10 + 30·1/4 = 17.5, 10 + 30·3/4 = 32.5
    // s: t6, t7, t8 between (t5, 40) and (t9, 0): 30, 20, 10; t0 before any value stays NULL
    // u: t4 between (t3, 2) and (t5, 6) → 4
    closeTo(col(await run({ method: 'linear' }), 'x'), [
      null,
      10,
      17.5,
      32.5,
      40,
      30,
      20,
      10,
      0,
      null,
      8,
      2,
      4,
      6,
    ])
  })

  it('max_gap leaves longer runs NULL entirely', async () => {
    expect(col(await run({ method: 'ffill', max_gap: 2 }), 'x')).toEqual([
      null,
      10,
      10,
      10,
      40,
      null,
      null,
      null,
      0,
      null,
      8,
      2,
      2,
      6,
    ])
    expect(col(await run({ method: 'ffill', max_gap: 1 }), 'x')).toEqual([
      null,
      10,
      null,
      null,
      40,
      null,
      null,
      null,
      0,
      null,
      8,
      2,
      2,
      6,
    ])
  })

  it('mean and median of the group, without order_by', async () => {
    const mean = await runOps(engine, 'small', [
      { impute: { columns: ['x'], method: 'mean', by: ['g'] } },
    ])
    // s: (10 + 40 + 0) / 3 = 50/3; u: (8 + 2 + 6) / 3 = 16/3
    closeTo(col(mean, 'x'), [
      50 / 3,
      10,
      50 / 3,
      50 / 3,
      40,
      50 / 3,
      50 / 3,
      50 / 3,
      0,
      16 / 3,
      8,
      2,
      16 / 3,
      6,
    ])
    const median = await runOps(engine, 'small', [{ impute: { columns: ['x'], method: 'median' } }])
    // all: 10, 40, 0, 8, 2, 6 → sorted 0 2 6 8 10 40 → (6 + 8) / 2 = 7
    expect(col(median, 'x')).toEqual([7, 10, 7, 7, 40, 7, 7, 7, 0, 7, 8, 2, 7, 6])
  })

  it('rejects ffill without order_by and unknown columns', async () => {
    await expect(
      runOps(engine, 'small', [{ impute: { columns: ['x'], method: 'ffill' } }]),
    ).rejects.toThrow('ops[0] impute: method ffill needs order_by')
    await expect(
      runOps(engine, 'small', [{ impute: { columns: ['x'], method: 'mean', by: ['gg'] } }]),
    ).rejects.toThrow('ops[0] impute: no column "gg"; columns: id, g, t, x')
  })
})

describe('impute: against the JS reference', () => {
  const methods = ['ffill', 'bfill', 'linear', 'mean', 'median'] as const
  for (const method of methods) {
    for (const maxGap of [undefined, 1, 2]) {
      for (const byGroup of [true, false]) {
        it(`${method}, max_gap ${maxGap ?? 'none'}, ${byGroup ? 'by g' : 'no groups'}`, async () => {
          for (const orderBy of ['ts', 'tn']) {
            const r = await runOps(engine, 'series', [
              {
                impute: {
                  columns: ['x'],
                  method,
                  order_by: orderBy,
                  ...(byGroup ? { by: ['g'] } : {}),
                  ...(maxGap === undefined ? {} : { max_gap: maxGap }),
                },
              },
            ])
            expect(col(r, 'id')).toEqual(data.map((_, i) => i))
            closeTo(col(r, 'x'), refImpute(data, method, byGroup, maxGap))
          }
        })
      }
    }
  }
})

describe('outliers', () => {
  it('iqr flag, hand-computed: NULLs are never outliers, a constant group has none', async () => {
    // p: 1 2 3 4 100 → q1 2, q3 4, iqr 2, bounds [-1, 7] → 100 is out; q: all 5 → none; r: one row
    const r = await runOps(engine, 'pts', [{ outliers: { columns: ['x'], by: ['g'] } }])
    expect(r.columns).toEqual(['id', 'g', 'x', 'x_outlier'])
    expect(col(r, 'x_outlier')).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
      false,
    ])
    expect(r.fitted).toEqual([
      {
        method: 'iqr',
        by: ['g'],
        k: 1.5,
        groups: [
          { key: { g: 'p' }, columns: { x: { q1: 2, q3: 4, iqr: 2, lower: -1, upper: 7 } } },
          { key: { g: 'q' }, columns: { x: { q1: 5, q3: 5, iqr: 0, lower: 5, upper: 5 } } },
          { key: { g: 'r' }, columns: { x: { q1: -3, q3: -3, iqr: 0, lower: -3, upper: -3 } } },
        ],
      },
    ])
  })

  it('clip clamps to the bounds and drop removes the rows', async () => {
    const clip = await runOps(engine, 'pts', [
      { outliers: { columns: ['x'], by: ['g'], k: 1, action: 'clip' } },
    ])
    // p: bounds [0, 6]
    expect(col(clip, 'x')).toEqual([1, 2, 3, 4, 6, null, 5, 5, 5, -3])
    const drop = await runOps(engine, 'pts', [{ outliers: { columns: ['x'], action: 'drop' } }])
    // all: 1 2 3 4 100 5 5 5 -3 → sorted -3 1 2 3 4 5 5 5 100: q1 2, q3 5, bounds [-2.5, 9.5]
    expect(col(drop, 'id')).toEqual([1, 2, 3, 4, 6, 7, 8, 9])
  })

  it('zscore uses the population std', async () => {
    // p: 1 2 3 4 100 → mean 22, population std sqrt((441+400+361+324+6084)/5) = sqrt(1522) ≈ 39.01
    // threshold 1.9: bounds 22 ± 74.13 → 100 is out; with the sample std (43.6) it would not be.
    const r = await runOps(engine, 'pts', [
      { filter: "g = 'p'" },
      { outliers: { columns: ['x'], method: 'zscore', threshold: 1.9 } },
    ])
    expect(col(r, 'x_outlier')).toEqual([false, false, false, false, true, false])
    const fitted = r.fitted[0] as { groups: { columns: { x: { mean: number; std: number } } }[] }
    expect(fitted.groups[0]!.columns.x.mean).toBe(22)
    expect(fitted.groups[0]!.columns.x.std).toBeCloseTo(Math.sqrt(1522), 9)
  })

  for (const method of ['iqr', 'zscore'] as const) {
    for (const byGroup of [true, false]) {
      it(`${method} ${byGroup ? 'by g' : 'no groups'} matches the JS reference`, async () => {
        const k = method === 'iqr' ? 1.5 : 2
        const opts = {
          columns: ['x'],
          method,
          ...(method === 'iqr' ? { k } : { threshold: k }),
          ...(byGroup ? { by: ['g'] } : {}),
        }
        const ref = refOutliers(data, method, k, byGroup)
        const flag = await runOps(engine, 'series', [{ outliers: { ...opts, action: 'flag' } }])
        expect(col(flag, 'x_outlier')).toEqual(ref.map((r) => r.flag))
        expect(ref.some((r) => r.flag)).toBe(true)
        const clip = await runOps(engine, 'series', [{ outliers: { ...opts, action: 'clip' } }])
        closeTo(
          col(clip, 'x'),
          ref.map((r) => r.clip),
        )
        const drop = await runOps(engine, 'series', [{ outliers: { ...opts, action: 'drop' } }])
        expect(col(drop, 'id')).toEqual(data.map((_, i) => i).filter((i) => !ref[i]!.flag))
      })
    }
  }
})

describe('scale', () => {
  it('minmax per group; a constant group and a single row scale to 0; NULLs stay', async () => {
    const r = await runOps(engine, 'pts', [{ scale: { columns: ['x'], by: ['g'] } }])
    // p: min 1, max 100 → (x − 1) / 99
    closeTo(col(r, 'x'), [0, 1 / 99, 2 / 99, 3 / 99, 1, null, 0, 0, 0, 0])
    expect(r.fitted).toEqual([
      {
        method: 'minmax',
        by: ['g'],
        groups: [
          { key: { g: 'p' }, columns: { x: { min: 1, max: 100, center: 1, scale: 99 } } },
          { key: { g: 'q' }, columns: { x: { min: 5, max: 5, center: 5, scale: 1 } } },
          { key: { g: 'r' }, columns: { x: { min: -3, max: -3, center: -3, scale: 1 } } },
        ],
      },
    ])
  })

  it('zscore with the population std, robust with median and iqr; suffix adds columns', async () => {
    const z = await runOps(engine, 'pts', [
      { filter: "g = 'p'" },
      { scale: { columns: ['x'], method: 'zscore' } },
    ])
    const std = Math.sqrt(1522)
    closeTo(col(z, 'x'), [-21 / std, -20 / std, -19 / std, -18 / std, 78 / std, null])
    const robust = await runOps(engine, 'pts', [
      { filter: "g = 'p'" },
      { scale: { columns: ['x', 'id'], method: 'robust', suffix: '_r' } },
    ])
    expect(robust.columns).toEqual(['id', 'g', 'x', 'x_r', 'id_r'])
    // x: median 3, q1 2, q3 4 → (x − 3) / 2; id 1..6: median 3.5, q1 2.25, q3 4.75 → (id − 3.5) / 2.5
    expect(col(robust, 'x')).toEqual([1, 2, 3, 4, 100, null])
    expect(col(robust, 'x_r')).toEqual([-1, -0.5, 0, 0.5, 48.5, null])
    expect(col(robust, 'id_r')).toEqual([-1, -0.6, -0.2, 0.2, 0.6, 1])
    expect(robust.fitted).toEqual([
      {
        method: 'robust',
        by: [],
        groups: [
          {
            key: {},
            columns: {
              x: { median: 3, q1: 2, q3: 4, center: 3, scale: 2 },
              id: { median: 3.5, q1: 2.25, q3: 4.75, center: 3.5, scale: 2.5 },
            },
          },
        ],
      },
    ])
  })

  it('reports the fitted query of each scaling op under its index', async () => {
    const r = await runOps(engine, 'pts', [
      { filter: 'x IS NOT NULL' },
      { scale: { columns: ['x'], suffix: '_1' } },
      { scale: { columns: ['x_1'], method: 'zscore' } },
    ])
    expect(r.fitted).toHaveLength(2)
    expect((r.fitted[1] as { method: string }).method).toBe('zscore')
  })
})
