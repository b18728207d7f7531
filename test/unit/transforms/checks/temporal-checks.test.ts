import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CheckSpec } from '../../../../src/core/spec/check-schema.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import {
  runChecks,
  type CheckResult,
  type CheckTarget,
} from '../../../../src/transforms/checks/index.js'

let engine: DuckDBEngine

// Rows in stored order; the comments give the per-sensor reading.
beforeAll(async () => {
  engine = await DuckDBEngine.open({ memoryLimit: '256MB', threads: 2 })
  await engine.run(`
    CREATE TABLE readings AS SELECT sensor, ts::TIMESTAMP AS ts FROM (VALUES
      ('a', '2026-01-01 00:00:00'),  -- 1
      ('b', '2026-01-01 00:00:00'),  -- 2  tie with row 1 (other sensor)
      ('a', '2026-01-01 00:10:00'),  -- 3
      ('a', '2026-01-01 00:10:00'),  -- 4  tie with row 3 (same sensor)
      ('b', '2026-01-01 00:05:00'),  -- 5
      ('a', '2026-01-01 00:05:00'),  -- 6  a goes back: 00:10 -> 00:05
      ('b', NULL),                   -- 7
      ('b', '2026-01-01 00:40:00'),  -- 8  b gap 00:05 -> 00:40 (35m)
      ('a', '2026-01-01 00:20:00')   -- 9
    ) AS v(sensor, ts);
    CREATE TABLE empty AS SELECT * FROM readings WHERE false;
    CREATE TABLE nulls AS SELECT * FROM readings WHERE ts IS NULL;
    CREATE TABLE zoned AS SELECT * FROM (VALUES
      (TIMESTAMPTZ '2026-01-01 10:00:00+02'), (TIMESTAMPTZ '2026-01-01 07:30:00Z')
    ) AS v(ts);
    CREATE TABLE days AS SELECT * FROM (VALUES (DATE '2026-01-01'), (DATE '2026-01-03')) AS v(d);
  `)
})
afterAll(async () => {
  await engine.close()
})

const readings = { sql: 'readings' }
const at = (iso: string) => new Date(iso)

async function one(
  check: CheckSpec,
  now?: Date,
  target: CheckTarget = readings,
): Promise<CheckResult> {
  const [r] = await runChecks(engine, [check], target, now === undefined ? {} : { now })
  return r!
}

async function rows(
  check: CheckSpec,
  now?: Date,
  target: CheckTarget = readings,
): Promise<unknown[]> {
  return (await one(check, now, target)).sample.map((s) => s._sluice_row)
}

describe('monotonic (input order = stored order)', () => {
  it('non-strict per sensor: ties pass, a step back fails, NULLs are skipped', async () => {
    const r = await one({ monotonic: { column: 'ts', by: ['sensor'] } })
    expect(r).toMatchObject({
      failing: 1,
      total: 9,
      message: '1 of 9 rows has ts below the previous value (per sensor)',
    })
    expect(r.sample).toEqual([
      {
        sensor: 'a',
        ts: '2026-01-01T00:05:00',
        _sluice_row: '6',
        _sluice_previous: '2026-01-01T00:10:00',
      },
    ])
  })

  it('strict per sensor: equal consecutive values fail too', async () => {
    const r = await one({ monotonic: { column: 'ts', by: 'sensor', strict: true } })
    expect(r.failing).toBe(2)
    expect(r.sample.map((s) => s._sluice_row)).toEqual(['4', '6'])
    expect(r.message).toBe('2 of 9 rows have ts not above the previous value (per sensor)')
  })

  it('without by the whole dataset is one sequence', async () => {
    expect(await rows({ monotonic: { column: 'ts' } })).toEqual(['5', '9'])
    expect(await rows({ monotonic: { column: 'ts', strict: true } })).toEqual([
      '2',
      '4',
      '5',
      '6',
      '9',
    ])
  })

  it('passes on a single row and on empty input', async () => {
    const single = { sql: '(SELECT * FROM readings LIMIT 1)' }
    expect(
      (await one({ monotonic: { column: 'ts', strict: true } }, undefined, single)).status,
    ).toBe('pass')
    expect((await one({ monotonic: { column: 'ts' } }, undefined, { sql: 'empty' })).total).toBe(0)
  })
})

describe('input order on a parallel scan', () => {
  it('numbers rows in stored order across many Parquet row groups', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-checks-'))
    try {
      const file = join(dir, 'seq.parquet').replaceAll("'", "''")
      // 300,000 rows in 30 row groups; stored order is seq ascending except row 250,001
      await engine.run(
        `COPY (SELECT CASE WHEN i = 250000 THEN -1 ELSE i END AS seq FROM range(300000) t(i)) ` +
          `TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 10000)`,
      )
      const r = await one({ monotonic: { column: 'seq', strict: true } }, undefined, {
        sql: `read_parquet('${file}')`,
      })
      expect(r).toMatchObject({ failing: 1, total: 300_000 })
      expect(r.sample).toEqual([{ seq: '-1', _sluice_row: '250001', _sluice_previous: '249999' }])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('max_gap (sorted by the column per key)', () => {
  it('per sensor: only b has a gap (35m > 15m)', async () => {
    const r = await one({ max_gap: { column: 'ts', by: ['sensor'], max: '15m' } })
    expect(r).toMatchObject({
      failing: 1,
      message: '1 of 9 rows follows a gap over 15m in ts (per sensor)',
    })
    expect(r.sample).toEqual([
      {
        sensor: 'b',
        ts: '2026-01-01T00:40:00',
        _sluice_row: '8',
        _sluice_previous: '2026-01-01T00:05:00',
      },
    ])
  })

  it('a gap of exactly max passes; durations in ISO form work', async () => {
    // all sorted: 00:00 00:00 00:05 00:05 00:10 00:10 00:20 00:40 -> gaps 10m (row 9), 20m (row 8)
    expect(await rows({ max_gap: { column: 'ts', max: 'PT5M' } })).toEqual(['9', '8'])
    expect(await rows({ max_gap: { column: 'ts', max: 600 } })).toEqual(['8'])
    expect((await one({ max_gap: { column: 'ts', max: '20m' } })).status).toBe('pass')
  })

  it('works on DATE columns', async () => {
    const r = await one({ max_gap: { column: 'd', max: '1d' } }, undefined, { sql: 'days' })
    expect(r).toMatchObject({ failing: 1, total: 2 })
    expect(r.sample[0]).toMatchObject({ d: '2026-01-03', _sluice_previous: '2026-01-01' })
  })
})

describe('freshness (now injected)', () => {
  it('passes when the newest value is within max_age, also exactly at the cutoff', async () => {
    const r = await one({ freshness: { column: 'ts', max_age: '1h' } }, at('2026-01-01T01:00:00Z'))
    expect(r).toMatchObject({ status: 'pass', failing: 0, total: 9, sample: [] })
    expect(r.message).toBe('newest ts is within 1h (after 2026-01-01T00:00:00.000Z)')
    const edge = await one(
      { freshness: { column: 'ts', max_age: '1h' } },
      at('2026-01-01T01:40:00Z'),
    )
    expect(edge.status).toBe('pass')
  })

  it('fails when the newest value is older, naming it', async () => {
    const r = await one(
      { freshness: { column: 'ts', max_age: '1h' } },
      at('2026-01-01T01:40:00.001Z'),
    )
    expect(r).toMatchObject({
      status: 'fail',
      failing: 1,
      total: 9,
      message: 'newest ts is 2026-01-01T00:40:00, older than 1h (cutoff 2026-01-01T00:40:00.001Z)',
      sample: [{ newest: '2026-01-01T00:40:00' }],
    })
  })

  it('fails on empty input and on an all-NULL column, with a clear message', async () => {
    const now = at('2026-01-01T00:00:00Z')
    const empty = await one({ freshness: { column: 'ts', max_age: '1d' } }, now, { sql: 'empty' })
    expect(empty).toMatchObject({
      status: 'fail',
      failing: 1,
      total: 0,
      message: 'no rows: an empty dataset has no newest ts',
    })
    const nulls = await one({ freshness: { column: 'ts', max_age: '1d' } }, now, { sql: 'nulls' })
    expect(nulls).toMatchObject({ failing: 1, total: 1, message: 'ts is NULL in the only row' })
  })

  it('compares timestamptz in UTC', async () => {
    // newest is 08:00Z (10:00+02)
    const zoned = { sql: 'zoned' }
    const check: CheckSpec = { freshness: { column: 'ts', max_age: '30m' } }
    expect((await one(check, at('2026-01-01T08:30:00Z'), zoned)).status).toBe('pass')
    const late = await one(check, at('2026-01-01T08:31:00Z'), zoned)
    expect(late.message).toBe(
      'newest ts is 2026-01-01T08:00:00Z, older than 30m (cutoff 2026-01-01T08:01:00.000Z)',
    )
  })

  it('refuses a column that is not a date or timestamp', async () => {
    await expect(one({ freshness: { column: 'sensor', max_age: '1d' } })).rejects.toMatchObject({
      code: 'E_SCHEMA_VALUE',
      message:
        'check freshness(sensor): column sensor is string, but the check needs date, timestamp, timestamptz',
    })
  })
})

describe('no_future', () => {
  it('fails rows later than now; tolerance widens it; NULL and equal pass', async () => {
    const now = at('2026-01-01T00:10:00Z')
    const r = await one({ no_future: { column: 'ts' } }, now)
    expect(r).toMatchObject({
      failing: 2,
      message: '2 of 9 rows have ts after 2026-01-01T00:10:00.000Z (now)',
    })
    expect(r.sample.map((s) => s._sluice_row)).toEqual(['8', '9'])
    const tolerant = await one({ no_future: { column: 'ts', tolerance: '10m' } }, now)
    expect(tolerant).toMatchObject({
      failing: 1,
      message: '1 of 9 rows has ts after 2026-01-01T00:20:00.000Z (now + 10m)',
    })
  })

  it('uses the current time when now is not given', async () => {
    expect((await one({ no_future: { column: 'ts' } })).status).toBe('pass')
  })
})
