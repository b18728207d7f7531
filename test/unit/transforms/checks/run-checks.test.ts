import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CheckSpec } from '../../../../src/core/spec/check-schema.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import {
  runChecks,
  type CheckResult,
  type CheckTarget,
} from '../../../../src/transforms/checks/index.js'

let engine: DuckDBEngine

beforeAll(async () => {
  engine = await DuckDBEngine.open({ memoryLimit: '256MB', threads: 2 })
  await engine.run(`
    CREATE TABLE orders AS SELECT * FROM (VALUES
      (1::BIGINT, 10.0::DOUBLE, 'new',  'a@x.io', 100),
      (2,         NULL,         'paid', 'b@x.io', 101),
      (3,         -5.0,         'void', 'nope',   NULL),
      (4,         1000.0,       NULL,   NULL,     999),
      (2,         50.0,         'paid', 'c@@x',   100),
      (NULL,      7.0,          'new',  'd@x.io', 101)
    ) AS v(id, amount, status, email, customer_id);
    CREATE TABLE customers AS SELECT * FROM (VALUES (100, 'DE'), (101, 'FR')) AS v(id, country);
    CREATE TABLE pairs AS SELECT * FROM (VALUES
      (1, 1), (1, 2), (1, 1), (NULL, 1), (NULL, 1), (2, NULL), (2, NULL)
    ) AS v(a, b);
    CREATE TABLE empty AS SELECT * FROM orders WHERE false;
    CREATE TABLE one AS SELECT * FROM (VALUES (NULL::INTEGER, 'x')) AS v(id, s);
  `)
})
afterAll(async () => {
  await engine.close()
})

const orders = { sql: 'orders', relations: { customers: 'customers' } }

async function one(
  check: CheckSpec,
  target: CheckTarget = orders,
  sampleRows?: number,
): Promise<CheckResult> {
  const opts = sampleRows === undefined ? {} : { sampleRows }
  const [r] = await runChecks(engine, [check], target, opts)
  return r!
}

/** The failing count, the ids of the sample and the message. */
async function summary(check: CheckSpec, target: CheckTarget = orders) {
  const r = await one(check, target)
  return { failing: r.failing, rows: r.sample.map((s) => s._sluice_row), message: r.message }
}

describe('row checks over orders (6 rows)', () => {
  it('not_null: one column or any of several; samples are JSON-safe and carry the row', async () => {
    const r = await one({ not_null: ['id', 'amount'] })
    expect(r).toMatchObject({
      name: 'not_null(id, amount)',
      type: 'not_null',
      severity: 'error',
      status: 'fail',
      failing: 2,
      total: 6,
      message: '2 of 6 rows have NULL in id or amount',
    })
    expect(r.sample).toEqual([
      {
        id: '2',
        amount: null,
        status: 'paid',
        email: 'b@x.io',
        customer_id: 101,
        _sluice_row: '2',
      },
      { id: null, amount: 7, status: 'new', email: 'd@x.io', customer_id: 101, _sluice_row: '6' },
    ])
    expect(r.durationMs).toBeGreaterThanOrEqual(0)
    expect(await summary({ not_null: 'id' })).toEqual({
      failing: 1,
      rows: ['6'],
      message: '1 of 6 rows has NULL in id',
    })
    const warn = await one({ not_null: 'status', name: 'has status', severity: 'warn' })
    expect(warn).toMatchObject({ name: 'has status', severity: 'warn', status: 'fail', failing: 1 })
    const ok = await one({ not_null: ['id', 'country'] }, { sql: 'customers' })
    expect(ok).toMatchObject({ status: 'pass', failing: 0, total: 2, sample: [] })
  })

  it('unique: all rows of a duplicated key fail; NULL keys are not duplicates', async () => {
    expect(await summary({ unique: 'id' })).toEqual({
      failing: 2,
      rows: ['2', '5'],
      message: '2 of 6 rows have a duplicated id',
    })
    expect(await summary({ unique: ['a', 'b'] }, { sql: 'pairs' })).toEqual({
      failing: 2,
      rows: ['1', '3'],
      message: '2 of 7 rows have a duplicated (a, b)',
    })
    expect((await one({ unique: 'a' }, { sql: 'pairs' })).failing).toBe(5) // 1,1,1 and 2,2
    expect((await one({ unique: ['status', 'customer_id'] })).status).toBe('pass')
  })

  it('accepted_values: NULL fails unless allow_null', async () => {
    const values = ['new', 'paid']
    expect(await summary({ accepted_values: { column: 'status', values } })).toEqual({
      failing: 2,
      rows: ['3', '4'],
      message: '2 of 6 rows have status NULL or not in [new, paid]',
    })
    expect(
      await summary({ accepted_values: { column: 'status', values, allow_null: true } }),
    ).toEqual({ failing: 1, rows: ['3'], message: '1 of 6 rows has status not in [new, paid]' })
    // numbers against a numeric column; YAML numbers against a text column compare as text
    expect(
      (await one({ accepted_values: { column: 'customer_id', values: [100, 101] } })).failing,
    ).toBe(2)
    const mixed = { column: 'status', values: [1, 'new', 'paid'], allow_null: true }
    expect(await summary({ accepted_values: mixed })).toMatchObject({ failing: 1, rows: ['3'] })
    const text = { sql: `(SELECT CAST(customer_id AS VARCHAR) AS c FROM orders)` }
    const asText = { column: 'c', values: [100, 101], allow_null: true }
    expect(await summary({ accepted_values: asText }, text)).toMatchObject({ rows: ['4'] })
  })

  it('range: inclusive by default, exclusive on request, one-sided; NULL passes', async () => {
    expect(await summary({ range: { column: 'amount', min: 0, max: 1000 } })).toEqual({
      failing: 1,
      rows: ['3'],
      message: '1 of 6 rows has amount < 0 or > 1000',
    })
    expect(
      await summary({ range: { column: 'amount', min: 0, max: 1000, inclusive: false } }),
    ).toEqual({ failing: 2, rows: ['3', '4'], message: '2 of 6 rows have amount <= 0 or >= 1000' })
    expect((await summary({ range: { column: 'amount', min: 10 } })).rows).toEqual(['3', '6'])
    expect(
      (await summary({ range: { column: 'amount', max: 49, inclusive: false } })).rows,
    ).toEqual(['4', '5'])
  })

  it('regex: regexp_matches semantics (anywhere unless anchored); NULL passes', async () => {
    expect(await summary({ regex: { column: 'email', pattern: '^[^@]+@[^@]+$' } })).toEqual({
      failing: 2,
      rows: ['3', '5'],
      message: '2 of 6 rows have email not matching "^[^@]+@[^@]+$"',
    })
    expect((await summary({ regex: { column: 'email', pattern: '@' } })).rows).toEqual(['3'])
    // a non-text column is matched as text
    expect((await summary({ regex: { column: 'id', pattern: '^[0-3]$' } })).rows).toEqual(['4'])
  })

  it('referential: values must exist in the other relation; NULL passes', async () => {
    expect(
      await summary({ referential: { column: 'customer_id', to: 'customers', to_column: 'id' } }),
    ).toEqual({
      failing: 1,
      rows: ['4'],
      message: '1 of 6 rows has customer_id not found in customers.id',
    })
    const self = { sql: 'orders', relations: { orders: 'orders' } }
    expect((await one({ referential: { column: 'id', to: 'orders' } }, self)).failing).toBe(0)
  })

  it('expression: a row fails when false; NULL passes like a CHECK constraint', async () => {
    expect(await summary({ expression: 'amount > 0' })).toEqual({
      failing: 1,
      rows: ['3'],
      message: '1 of 6 rows fails amount > 0',
    })
  })

  it('sql: custom SQL returns the failing rows; input and relations are visible', async () => {
    const r = await one({ sql: 'select * from input where amount < 0;' })
    expect(r).toMatchObject({ failing: 1, total: 6, name: 'sql' })
    expect(r.message).toBe('the custom SQL returned 1 failing row (of 6 input rows)')
    expect(r.sample).toEqual([
      { id: '3', amount: -5, status: 'void', email: 'nope', customer_id: null },
    ])
    const joined = await one({
      sql: `with de as (select id from customers where country = 'DE')
            select o.id from input o join de on de.id = o.customer_id -- rows 1 and 5`,
    })
    expect(joined.failing).toBe(2)
    expect(joined.sample.map((s) => s.id).sort()).toEqual(['1', '2'])
  })

  it('row_count: the count within bounds; one failing unit when outside', async () => {
    expect(await one({ row_count: { min: 1, max: 6 } })).toMatchObject({
      status: 'pass',
      failing: 0,
      total: 6,
      message: '6 rows, expected between 1 and 6',
    })
    const r = await one({ row_count: { max: 5 } })
    expect(r).toMatchObject({ status: 'fail', failing: 1, message: '6 rows, expected at most 5' })
    expect(r.sample).toEqual([{ row_count: '6' }])
  })
})

describe('empty input, a single row, samples, names', () => {
  const empty = { sql: 'empty', relations: { customers: 'customers' } }

  it('row checks pass on empty input; row_count fails below its minimum', async () => {
    const results = await runChecks(
      engine,
      [
        { not_null: 'id' },
        { unique: 'id' },
        { monotonic: { column: 'id' } },
        { referential: { column: 'customer_id', to: 'customers', to_column: 'id' } },
        { sql: 'select * from input' },
        { row_count: { max: 10 } },
        { row_count: { min: 1 } },
      ],
      empty,
    )
    expect(results.map((r) => [r.status, r.failing, r.total])).toEqual([
      ['pass', 0, 0],
      ['pass', 0, 0],
      ['pass', 0, 0],
      ['pass', 0, 0],
      ['pass', 0, 0],
      ['pass', 0, 0],
      ['fail', 1, 0],
    ])
    expect(results[0]!.message).toBe('0 of 0 rows have NULL in id')
    expect(results[6]!.message).toBe('0 rows, expected at least 1')
  })

  it('a single row', async () => {
    const t = { sql: 'one' }
    const [nn, u, rc] = await runChecks(
      engine,
      [{ not_null: 'id' }, { unique: 'id' }, { row_count: { min: 1, max: 1 } }],
      t,
    )
    expect(nn).toMatchObject({ failing: 1, total: 1, message: '1 of 1 row has NULL in id' })
    expect(nn!.sample).toEqual([{ id: null, s: 'x', _sluice_row: '1' }])
    expect(u!.status).toBe('pass')
    expect(rc).toMatchObject({ status: 'pass', message: '1 row, expected between 1 and 1' })
  })

  it('keeps at most sampleRows rows, and the message still works with 0', async () => {
    expect((await one({ not_null: ['id', 'amount'] }, orders, 1)).sample).toHaveLength(1)
    const r = await one({ not_null: ['id', 'amount'] }, orders, 0)
    expect(r).toMatchObject({
      failing: 2,
      sample: [],
      message: '2 of 6 rows have NULL in id or amount',
    })
  })

  it('keeps results in order and makes repeated names unique', async () => {
    const rs = await runChecks(
      engine,
      [{ not_null: 'id' }, { sql: 'select 1' }, { not_null: 'id' }],
      orders,
    )
    expect(rs.map((r) => r.name)).toEqual(['not_null(id)', 'sql', 'not_null(id) #2'])
  })

  it('runs over a subquery target and quotes hostile column names', async () => {
    const t = { sql: `(SELECT id AS "we""ird col", status AS "it's" FROM orders)` }
    const r = await one({ not_null: ['we"ird col', "it's"] }, t)
    expect(r.failing).toBe(2)
    expect(r.sample[0]).toEqual({ 'we"ird col': '4', "it's": null, _sluice_row: '4' })
    const v = await one(
      { accepted_values: { column: "it's", values: ["o'k"], allow_null: true } },
      t,
    )
    expect(v.failing).toBe(5)
  })
})

describe('errors', () => {
  it('an unknown column names the check, lists the columns and suggests one', async () => {
    const err = await runChecks(engine, [{ not_null: ['id', 'amout'] }], orders).catch(
      (e: unknown) => e,
    )
    expect(err).toMatchObject({
      code: 'E_SCHEMA_VALUE',
      message:
        'check not_null(id, amout): the checked dataset has no column "amout"; its columns: id, amount, status, email, customer_id',
      hint: 'did you mean `amount`?',
    })
  })

  it('checks columns case-insensitively, as DuckDB does', async () => {
    expect((await one({ not_null: 'ID' })).failing).toBe(1)
  })

  it('validates every check before running any', async () => {
    await expect(
      runChecks(engine, [{ sql: 'select * from nowhere' }, { unique: 'nope' }], orders),
    ).rejects.toMatchObject({ code: 'E_SCHEMA_VALUE' })
  })

  it('an unknown relation or to_column', async () => {
    await expect(
      one({ referential: { column: 'customer_id', to: 'customer', to_column: 'id' } }),
    ).rejects.toMatchObject({
      code: 'E_SCHEMA_VALUE',
      message: 'check referential(customer_id): no relation named "customer"; known: customers',
      hint: 'did you mean `customers`?',
    })
    await expect(
      one({ referential: { column: 'customer_id', to: 'customers', to_column: 'key' } }),
    ).rejects.toMatchObject({
      code: 'E_SCHEMA_VALUE',
      message:
        'check referential(customer_id): customers has no column "key"; its columns: id, country',
    })
  })

  it('custom SQL that fails carries the check name and the DuckDB message', async () => {
    const err = await one({ sql: 'select * from nowhere', name: 'bad' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'E_CHECK_SQL', retryable: false })
    expect((err as Error).message).toMatch(/^check bad \(sql\) failed in DuckDB: .*nowhere/)
    expect((err as { hint: string }).hint).toBe('fix the query; it can read input, customers')
  })

  it('an aggregate expression gets a hint towards sql: or row_count:', async () => {
    const err = await one({ expression: 'count(*) > 0' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'E_CHECK_SQL' })
    expect((err as { hint: string }).hint).toMatch(/sql: or row_count:/)
  })

  it('a type mismatch in a built-in check is E_CHECK_SQL too', async () => {
    await expect(one({ range: { column: 'amount', min: 'zero' } })).rejects.toMatchObject({
      code: 'E_CHECK_SQL',
      message: expect.stringContaining('check range(amount) (range) failed in DuckDB') as string,
    })
  })

  it('a target that cannot be read', async () => {
    await expect(
      runChecks(engine, [{ not_null: 'id' }], { sql: 'missing_table' }),
    ).rejects.toMatchObject({
      code: 'E_CHECK_SQL',
      message: expect.stringContaining('cannot read the checked dataset (missing_table)') as string,
    })
  })
})
