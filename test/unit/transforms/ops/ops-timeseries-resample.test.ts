import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TransformOp } from '../../../../src/core/spec/transform-op-schema.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { col, runOps } from './run-ops.js'

// resample, completeness and time_features, hand-computed.
let engine: DuckDBEngine

beforeAll(async () => {
  engine = await DuckDBEngine.open({ threads: 2, memoryLimit: '256MB' })
  // a: 0s 1, 20s 2, 50s 3, 50s 4 (tie), 200s 10 → 1m buckets 0 and 3 (1 and 2 empty)
  // b: 70s 5, 75s NULL, 130s 7, and a NULL time
  await engine.run(`
    CREATE TABLE s AS SELECT id, g, TIMESTAMP '2024-01-01 00:00:00' + to_seconds(sec) AS timestamp, v FROM (VALUES
      (1, 'a', 0, 1.0), (2, 'a', 20, 2.0), (3, 'a', 50, 3.0), (4, 'a', 50, 4.0), (5, 'a', 200, 10.0),
      (6, 'b', 70, 5.0), (7, 'b', 75, NULL), (8, 'b', 130, 7.0), (9, 'b', NULL, 1.0)
    ) v(id, g, sec, v);
    CREATE TABLE s_empty AS SELECT * FROM s WHERE false;
    CREATE TABLE s_one AS SELECT * FROM s WHERE id = 5;
    CREATE TABLE s_text AS SELECT id, g, CAST(timestamp AS VARCHAR) AS ts, v FROM s;
    CREATE TABLE k AS SELECT id, g, TIMESTAMP '2024-01-01 00:00:00' + to_seconds(sec) AS ts FROM (VALUES
      (1, 'a', 0), (2, 'a', 60), (3, 'a', 60), (4, 'a', 120), (5, 'a', 300),
      (6, 'b', 30), (7, 'b', 90), (8, 'b', NULL), (9, 'c', NULL)
    ) v(id, g, sec);
    CREATE TABLE f AS SELECT * FROM (VALUES
      (1, TIMESTAMP '2024-01-06 13:45:10', TIMESTAMPTZ '2024-03-10 23:30:00+02:00', DATE '2024-02-29'),
      (2, TIMESTAMP '2024-12-31 23:59:00', NULL, NULL),
      (3, NULL, TIMESTAMPTZ '2024-01-01 00:00:00+00', DATE '2023-01-01')
    ) v(id, timestamp, tz, d);
  `)
})
afterAll(() => engine.close())

const run = (op: TransformOp, table = 's') => runOps(engine, table, [op])
const T = (hms: string) => `2024-01-01T${hms}`

describe('resample', () => {
  it('aggregates per series and bucket; series in input order, buckets in time order', async () => {
    const r = await run({ resample: { step: '1m', columns: ['v'], by: ['g'] } })
    expect(r.columns).toEqual(['g', 'timestamp', 'v'])
    // a bucket 0: (1 + 2 + 3 + 4) / 4; b: the NULL value and the NULL time are left out
    expect(r.rows).toEqual([
      ['a', T('00:00:00'), 2.5],
      ['a', T('00:03:00'), 10],
      ['b', T('00:01:00'), 5],
      ['b', T('00:02:00'), 7],
    ])
  })

  it('sum, min, max, count, first and last (ties by input order)', async () => {
    const aggs = ['sum', 'min', 'max', 'count', 'first', 'last'] as const
    const got: Record<string, unknown[]> = {}
    for (const agg of aggs) {
      got[agg] = col(await run({ resample: { step: '1m', columns: ['v'], agg, by: ['g'] } }), 'v')
    }
    expect(got).toEqual({
      sum: ['10.0', '10.0', '5.0', '7.0'],
      min: ['1.0', '10.0', '5.0', '7.0'],
      max: ['4.0', '10.0', '5.0', '7.0'],
      count: [4, 1, 1, 1],
      first: ['1.0', '10.0', '5.0', '7.0'],
      last: ['4.0', '10.0', '5.0', '7.0'],
    })
    const mapped = await run({ resample: { step: 60, columns: { v: 'max', id: 'count' } } })
    // one series: buckets 0, 1, 2, 3
    expect(mapped.rows).toEqual([
      [T('00:00:00'), '4.0', 4],
      [T('00:01:00'), '5.0', 2],
      [T('00:02:00'), '7.0', 1],
      [T('00:03:00'), '10.0', 1],
    ])
  })

  it('fills the empty buckets: null, ffill, linear (count 0)', async () => {
    const fill = async (f: 'null' | 'ffill' | 'linear', agg: 'avg' | 'count' = 'avg') =>
      (await run({ resample: { step: '1m', columns: ['v'], agg, by: ['g'], fill: f } })).rows
    const times = [T('00:00:00'), T('00:01:00'), T('00:02:00'), T('00:03:00')]
    const a = (values: unknown[]) => values.map((v, i) => ['a', times[i], v])
    const b = [
      ['b', T('00:01:00'), 5],
      ['b', T('00:02:00'), 7],
    ]
    expect(await fill('null')).toEqual([...a([2.5, null, null, 10]), ...b])
    expect(await fill('ffill')).toEqual([...a([2.5, 2.5, 2.5, 10]), ...b])
    // between (0s, 2.5) and (180s, 10): 2.5 + 7.5 · 60/180 = 5, 2.5 + 7.5 · 120/180 = 7.5
    expect(await fill('linear')).toEqual([...a([2.5, 5, 7.5, 10]), ...b])
    expect(col({ columns: ['g', 't', 'v'], rows: await fill('null', 'count') }, 'v')).toEqual([
      4, 0, 0, 1, 1, 1,
    ])
  })

  it('empty input, a single row, and a step that is not a duration', async () => {
    for (const fill of ['none', 'linear'] as const) {
      const e = await run({ resample: { step: '5m', columns: ['v'], fill } }, 's_empty')
      expect(e.rows).toEqual([])
    }
    const one = await run({ resample: { step: '1h', columns: ['v'], fill: 'ffill' } }, 's_one')
    expect(one.rows).toEqual([[T('00:00:00'), 10]])
    await expect(run({ resample: { step: '5x', columns: ['v'] } })).rejects.toThrow(
      'ops[0] resample: step "5x" is not a positive duration',
    )
  })

  it('errors: unknown column, a value named like a key, a text time column', async () => {
    await expect(run({ resample: { step: '1m', columns: ['v'], by: ['gg'] } })).rejects.toThrow(
      'ops[0] resample: no column "gg"; columns: id, g, timestamp, v',
    )
    await expect(run({ resample: { step: '1m', columns: ['g'], by: ['g'] } })).rejects.toThrow(
      'ops[0] resample: the output would have two columns named "g"',
    )
    await expect(
      run({ resample: { step: '1m', columns: ['v'], time: 'ts' } }, 's_text'),
    ).rejects.toThrow('ops[0] resample: column "ts" is VARCHAR, not a timestamp')
  })
})

describe('completeness', () => {
  const REF = '2024-01-01T00:10:00Z'

  it('one row per series: expected buckets, actual, ratio, freshness against the reference', async () => {
    const r = await run(
      { completeness: { step: '1m', time: 'ts', by: ['g'], reference: REF } },
      'k',
    )
    expect(r.columns).toEqual([
      'g',
      'first_time',
      'last_time',
      'expected',
      'actual',
      'ratio',
      'freshness_seconds',
    ])
    // a: buckets 0, 1, 2, 5 (gap of 3, 4; 60s twice) → 4 of 6; last 300s → 600 − 300
    // b: 30s, 90s → buckets 0, 1; c: only a NULL time
    expect(r.rows).toEqual([
      ['a', T('00:00:00'), T('00:05:00'), 6, 4, 4 / 6, 300],
      ['b', T('00:00:30'), T('00:01:30'), 2, 2, 1, 510],
      ['c', null, null, 0, 0, null, null],
    ])
  })

  it('without by one row, also for empty input; an offset in the reference counts', async () => {
    const all = await run(
      { completeness: { step: '1m', time: 'ts', reference: '2024-01-01T02:10:00+02:00' } },
      'k',
    )
    expect(all.rows).toEqual([[T('00:00:00'), T('00:05:00'), 6, 4, 4 / 6, 300]])
    const empty = await run({ completeness: { step: '1m', reference: REF } }, 's_empty')
    expect(empty.rows).toEqual([[null, null, 0, 0, null, null]])
    const now = await run({ completeness: { step: '1m', time: 'ts' } }, 'k')
    expect(col(now, 'freshness_seconds')[0]).toBeGreaterThan(86_400 * 300)
  })

  it('reports a step of 0 and a taken output name', async () => {
    await expect(run({ completeness: { step: 0, time: 'ts' } }, 'k')).rejects.toThrow(
      'ops[0] completeness: step 0 is not a positive duration',
    )
    await expect(
      runOps(engine, 'k', [
        { rename: { g: 'actual' } },
        { completeness: { step: '1m', time: 'ts', by: ['actual'] } },
      ]),
    ).rejects.toThrow('ops[1] completeness: the output would have two columns named "actual"')
  })
})

describe('time_features', () => {
  it('calendar features in UTC from timestamp, timestamptz and date columns', async () => {
    const r = await run({ time_features: {} }, 'f')
    expect(r.columns.slice(4)).toEqual([
      'timestamp_year',
      'timestamp_month',
      'timestamp_day',
      'timestamp_hour',
      'timestamp_minute',
      'timestamp_weekday',
      'timestamp_is_weekend',
      'timestamp_day_of_year',
    ])
    // 2024-01-06 is a Saturday; 2024-12-31 a Tuesday, day 366 of a leap year
    expect(r.rows.map((row) => row.slice(4))).toEqual([
      [2024, 1, 6, 13, 45, 6, true, 6],
      [2024, 12, 31, 23, 59, 2, false, 366],
      [null, null, null, null, null, null, null, null],
    ])
    const tz = await run(
      { time_features: { time: 'tz', features: ['day', 'hour'], prefix: '' } },
      'f',
    )
    // 23:30+02:00 is 21:30 UTC
    expect(tz.rows.map((row) => row.slice(4))).toEqual([
      [10, 21],
      [null, null],
      [1, 0],
    ])
    const d = await run(
      { time_features: { time: 'd', features: ['weekday', 'day_of_year', 'hour'] } },
      'f',
    )
    // 2024-02-29 is a Thursday, day 60
    expect(d.rows.map((row) => row.slice(4))).toEqual([
      [4, 60, 0],
      [null, null, null],
      [7, 1, 0],
    ])
  })

  it('empty input, and errors: unknown column, text column, taken name', async () => {
    expect((await run({ time_features: { features: ['hour'] } }, 's_empty')).rows).toEqual([])
    await expect(run({ time_features: { time: 'when' } }, 'f')).rejects.toThrow(
      'ops[0] time_features: no column "when"',
    )
    await expect(run({ time_features: { time: 'ts' } }, 's_text')).rejects.toThrow(
      'ops[0] time_features: column "ts" is VARCHAR, not a timestamp',
    )
    await expect(
      runOps(engine, 'f', [
        { rename: { d: 'day' } },
        { time_features: { features: ['day'], prefix: '' } },
      ]),
    ).rejects.toThrow('ops[1] time_features: the output would have two columns named "day"')
  })
})
