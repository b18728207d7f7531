import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import type { TransformOp } from '../../../../src/core/spec/transform-op-schema.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { compileOps } from '../../../../src/transforms/ops/index.js'
import { col, runOps } from './run-ops.js'

let engine: DuckDBEngine

const ORDERS = ['id', 'cust', 'amount', 'status', 'ts']
const T1 = '2024-01-01T10:00:00'
const T2 = '2024-01-01T09:00:00'
const T4 = '2024-01-02T00:00:00'

beforeAll(async () => {
  engine = await DuckDBEngine.open({ threads: 2, memoryLimit: '256MB' })
  await engine.run(`
    CREATE TABLE orders AS SELECT * FROM (VALUES
      (1, 'c1', 10.0::DOUBLE, 'ok', TIMESTAMP '2024-01-01 10:00:00'),
      (2, 'c2', NULL, 'ok', TIMESTAMP '2024-01-01 09:00:00'),
      (3, 'c1', 30.0, 'bad', NULL),
      (4, NULL, 5.0, NULL, TIMESTAMP '2024-01-02 00:00:00'),
      (5, 'c2', 30.0, 'ok', TIMESTAMP '2024-01-01 09:00:00')
    ) v(id, cust, amount, status, ts);
    CREATE TABLE empty_orders AS SELECT * FROM orders WHERE false;
    CREATE TABLE one_order AS SELECT * FROM orders WHERE id = 1;
    CREATE TABLE customers AS SELECT * FROM (VALUES
      ('c1', 'Ann', 1), ('c3', 'Cy', 3), (NULL, 'Nobody', 9)
    ) v(cust, name, amount);
    CREATE TABLE people AS SELECT * FROM (VALUES ('c2', 'Bo')) v(who, name);
    CREATE TABLE dups AS SELECT * FROM (VALUES (1, 'a'), (1, 'a'), (2, NULL), (2, NULL), (2, 'b')) v(k, v);
  `)
})
afterAll(() => engine.close())

const ids = async (ops: TransformOp[], table = 'orders') =>
  col(await runOps(engine, table, ops), 'id')

/** The SluiceError a compile throws (or fails the test). */
function compileError(ops: unknown[], columns = ORDERS, relations = {}): SluiceError {
  try {
    compileOps(ops as TransformOp[], { sql: 'orders', columns }, relations)
  } catch (e) {
    if (e instanceof SluiceError) return e
    throw e
  }
  throw new Error('compileOps did not throw')
}

describe('compileOps: query shape', () => {
  it('is one WITH … SELECT without a semicolon, and no ops returns the input in input order', async () => {
    const c = compileOps([], { sql: 'orders', columns: ORDERS })
    expect(c.sql.startsWith('WITH __s0 AS (')).toBe(true)
    expect(c.sql.trimEnd().endsWith(';')).toBe(false)
    expect(c.columns).toEqual(ORDERS)
    expect(c.fitted).toEqual([])
    expect(await ids([])).toEqual([1, 2, 3, 4, 5])
  })

  it('quotes hostile identifiers and literals', async () => {
    const r = await runOps(engine, 'orders', [
      { select: ['id', 'status'] },
      { rename: { status: 'we"ird; --' } },
      { fill_null: { 'we"ird; --': "it's" } },
    ])
    expect(r.columns).toEqual(['id', 'we"ird; --'])
    expect(col(r, 'we"ird; --')).toEqual(['ok', 'ok', 'bad', "it's", 'ok'])
  })
})

describe('select, rename, cast', () => {
  it('select keeps columns in the given order; exclude drops some', async () => {
    const r = await runOps(engine, 'orders', [{ select: ['amount', 'id'] }])
    expect(r.columns).toEqual(['amount', 'id'])
    expect(r.rows).toEqual([
      [10, 1],
      [null, 2],
      [30, 3],
      [5, 4],
      [30, 5],
    ])
    const e = await runOps(engine, 'orders', [{ select: { exclude: ['status', 'ts'] } }])
    expect(e.columns).toEqual(['id', 'cust', 'amount'])
    expect(e.rows[3]).toEqual([4, null, 5])
  })

  it('select rejects excluding everything and duplicate names', () => {
    expect(compileError([{ select: { exclude: ORDERS } }]).message).toMatch(
      /exclude removes every column/,
    )
    expect(compileError([{ select: ['id', 'id'] }]).message).toMatch(/two columns named "id"/)
  })

  it('rename keeps positions and can swap names', async () => {
    const r = await runOps(engine, 'orders', [{ rename: { id: 'cust', cust: 'id' } }])
    expect(r.columns).toEqual(['cust', 'id', 'amount', 'status', 'ts'])
    expect(r.rows[0]).toEqual([1, 'c1', 10, 'ok', T1])
  })

  it('rename refuses a name that is taken', () => {
    const e = compileError([{ rename: { id: 'amount' } }])
    expect(e.code).toBe('E_SCHEMA_VALUE')
    expect(e.message).toBe('ops[0] rename: the output would have two columns named "amount"')
  })

  it('cast converts in place; a bad value fails unless on_error is null', async () => {
    const r = await runOps(engine, 'orders', [{ cast: { id: 'string', amount: 'decimal(6,1)' } }])
    expect(col(r, 'id')).toEqual(['1', '2', '3', '4', '5'])
    expect(col(r, 'amount')).toEqual(['10.0', null, '30.0', '5.0', '30.0'])
    await expect(runOps(engine, 'orders', [{ cast: { status: 'int32' } }])).rejects.toThrow(
      /Could not convert|Conversion/,
    )
    const lenient = await runOps(engine, 'orders', [
      { derive: { n: "CASE WHEN id = 2 THEN '42' ELSE status END" } },
      { cast: { columns: { n: 'int64' }, on_error: null } },
    ])
    expect(col(lenient, 'n')).toEqual([null, 42, null, null, null])
  })

  it('cast reports an unknown type with the op and a did-you-mean', () => {
    const e = compileError([{ filter: 'true' }, { cast: { id: 'integr' } }])
    expect(e.message).toMatch(
      /^ops\[1\] cast: column "id": unknown column type `integr`; did you mean `integer`\?/,
    )
    expect(e.hint).toMatch(/valid types/)
  })
})

describe('filter and derive', () => {
  it('filter keeps rows where the SQL condition is true (NULL is not true)', async () => {
    expect(await ids([{ filter: "amount > 5 AND status <> 'bad'" }])).toEqual([1, 5])
    expect(await ids([{ filter: 'amount > 1000' }])).toEqual([])
    expect(await ids([{ filter: 'id < 3 -- a trailing comment' }])).toEqual([1, 2])
  })

  it('derive adds and replaces columns in order; later entries see earlier ones', async () => {
    const r = await runOps(engine, 'orders', [
      { derive: { double: 'amount * 2', amount: 'coalesce(amount, 0)', plus: 'double + 1' } },
    ])
    expect(r.columns).toEqual([...ORDERS, 'double', 'plus'])
    expect(col(r, 'double')).toEqual([20, null, 60, 10, 60])
    expect(col(r, 'amount')).toEqual([10, 0, 30, 5, 30])
    expect(col(r, 'plus')).toEqual([21, null, 61, 11, 61])
  })

  it('derive refuses reserved names', () => {
    expect(compileError([{ derive: { __sluice_rn: '1' } }]).message).toMatch(/reserved/)
  })
})

describe('dedupe', () => {
  it('without order_by keeps the first / last row in input order (NULL keys are one key)', async () => {
    expect(await ids([{ dedupe: { keys: ['cust'] } }])).toEqual([1, 2, 4])
    expect(await ids([{ dedupe: { keys: ['cust'], keep: 'last' } }])).toEqual([3, 4, 5])
  })

  it('order_by decides; NULL order values rank last either way', async () => {
    // c1: 10 (1), 30 (3); c2: NULL (2), 30 (5); NULL: 5 (4)
    expect(await ids([{ dedupe: { keys: ['cust'], order_by: 'amount' } }])).toEqual([1, 4, 5])
    expect(await ids([{ dedupe: { keys: ['cust'], order_by: 'amount', keep: 'last' } }])).toEqual([
      3, 4, 5,
    ])
  })

  it('ties in order_by go to input order (first: earliest, last: latest)', async () => {
    // status ok: ids 1, 2, 5 all on day 2024-01-01; bad: 3 (ts NULL); NULL status: 4
    const day = "date_trunc('day', ts)"
    expect(await ids([{ dedupe: { keys: ['status'], order_by: [day] } }])).toEqual([1, 3, 4])
    expect(await ids([{ dedupe: { keys: ['status'], order_by: [day], keep: 'last' } }])).toEqual([
      3, 4, 5,
    ])
  })

  it('without keys removes duplicate rows (NULLs equal)', async () => {
    const r = await runOps(engine, 'dups', [{ dedupe: {} }])
    expect(r.rows).toEqual([
      [1, 'a'],
      [2, null],
      [2, 'b'],
    ])
  })
})

describe('aggregate', () => {
  it('computes the measures per group, groups in order of first appearance', async () => {
    const r = await runOps(engine, 'orders', [
      {
        aggregate: {
          group_by: ['cust'],
          measures: {
            n: 'count(*)',
            n_amount: 'count(amount)',
            total: 'sum(amount)',
            avg_a: 'avg(amount)',
            lo: 'min(amount)',
            hi: 'max(amount)',
            med: 'median(amount)',
            p90: 'percentile(amount, 0.9)',
            u: 'count_distinct(amount)',
            sd: 'stddev(amount)',
          },
        },
      },
    ])
    expect(r.columns).toEqual([
      'cust',
      'n',
      'n_amount',
      'total',
      'avg_a',
      'lo',
      'hi',
      'med',
      'p90',
      'u',
      'sd',
    ])
    expect(r.rows.map((row) => row.slice(0, 10))).toEqual([
      ['c1', 2, 2, 40, 20, 10, 30, 20, 28, 2],
      ['c2', 2, 1, 30, 30, 30, 30, 30, 30, 1],
      [null, 1, 1, 5, 5, 5, 5, 5, 5, 1],
    ])
    expect(col(r, 'sd')[0]).toBeCloseTo(Math.sqrt(200), 10)
    expect(col(r, 'sd').slice(1)).toEqual([null, null])
  })

  it('without group_by gives one row, even for empty input; with group_by, none', async () => {
    const measures = { n: 'count(*)', total: 'sum(amount)' }
    expect((await runOps(engine, 'orders', [{ aggregate: { measures } }])).rows).toEqual([[5, 75]])
    expect((await runOps(engine, 'empty_orders', [{ aggregate: { measures } }])).rows).toEqual([
      [0, null],
    ])
    const g = await runOps(engine, 'empty_orders', [
      { aggregate: { group_by: ['cust'], measures } },
    ])
    expect(g).toMatchObject({ columns: ['cust', 'n', 'total'], rows: [] })
  })

  it('accepts double-quoted column names, and columns renamed before', async () => {
    const r = await runOps(engine, 'orders', [
      { rename: { amount: 'my "amt"' } },
      { aggregate: { measures: { t: 'SUM( "my ""amt""" )' } } },
    ])
    expect(r.rows).toEqual([[75]])
  })

  it.each([
    ['sum(amount', /not of the form/],
    ['sum(amount); drop table orders', /not of the form/],
    ['amount + 1', /not of the form/],
    ['summ(amount)', /unknown function summ/],
    ['sum(*)', /only count\(\*\)/],
    ['percentile(amount)', /needs a fraction/],
    ['percentile(amount, 1.5)', /not between 0 and 1/],
    ['sum(amount, 2)', /no second argument/],
    ['sum(amout)', /no column "amout"/],
  ])('rejects the measure %s', (text, pattern) => {
    const e = compileError([{ aggregate: { measures: { m: text } } }])
    expect(e.code).toBe('E_SCHEMA_VALUE')
    expect(e.message).toMatch(/^ops\[0\] aggregate: /)
    expect(e.message).toMatch(pattern)
  })

  it('suggests the function and the column', () => {
    expect(compileError([{ aggregate: { measures: { m: 'summ(amount)' } } }]).hint).toMatch(
      /did you mean `sum`\?/,
    )
    expect(compileError([{ aggregate: { measures: { m: 'sum(amout)' } } }]).hint).toBe(
      'did you mean `amount`?',
    )
  })

  it('refuses a measure named like a group column', () => {
    const e = compileError([{ aggregate: { group_by: ['cust'], measures: { cust: 'count(*)' } } }])
    expect(e.message).toMatch(/two columns named "cust"/)
  })
})

describe('join', () => {
  const relations = {
    customers: { sql: 'customers', columns: ['cust', 'name', 'amount'] },
    people: { sql: '(SELECT * FROM people)', columns: ['who', 'name'] },
  }
  const join = async (options: Record<string, unknown>) =>
    runOps(engine, 'orders', [{ join: { with: 'customers', on: ['cust'], ...options } }], relations)

  it('inner: keys once, clashing right columns suffixed', async () => {
    const r = await join({})
    expect(r.columns).toEqual([...ORDERS, 'name', 'amount_right'])
    expect(r.rows).toEqual([
      [1, 'c1', 10, 'ok', T1, 'Ann', 1],
      [3, 'c1', 30, 'bad', null, 'Ann', 1],
    ])
  })

  it('left keeps every left row; NULL keys never match', async () => {
    const r = await join({ how: 'left', suffix: '_c' })
    expect(r.columns).toEqual([...ORDERS, 'name', 'amount_c'])
    expect(col(r, 'id')).toEqual([1, 2, 3, 4, 5])
    expect(col(r, 'name')).toEqual(['Ann', null, 'Ann', null, null])
  })

  it('right and full take the right key for unmatched right rows, after the left rows', async () => {
    const right = await join({ how: 'right' })
    expect(right.rows.map((row) => [row[0], row[1], row[5]])).toEqual([
      [1, 'c1', 'Ann'],
      [3, 'c1', 'Ann'],
      [null, 'c3', 'Cy'],
      [null, null, 'Nobody'],
    ])
    const full = await join({ how: 'full' })
    expect(full.rows.map((row) => [row[0], row[1], row[5]])).toEqual([
      [1, 'c1', 'Ann'],
      [2, 'c2', null],
      [3, 'c1', 'Ann'],
      [4, null, null],
      [5, 'c2', null],
      [null, 'c3', 'Cy'],
      [null, null, 'Nobody'],
    ])
  })

  it('semi and anti keep left columns only (anti keeps NULL keys)', async () => {
    const semi = await join({ how: 'semi' })
    expect(semi.columns).toEqual(ORDERS)
    expect(col(semi, 'id')).toEqual([1, 3])
    expect(col(await join({ how: 'anti' }), 'id')).toEqual([2, 4, 5])
  })

  it('on as a mapping joins differently named keys and drops the right key', async () => {
    const r = await runOps(
      engine,
      'orders',
      [{ join: { with: 'people', on: { cust: 'who' } } }],
      relations,
    )
    expect(r.columns).toEqual([...ORDERS, 'name'])
    expect(r.rows.map((row) => [row[0], row[5]])).toEqual([
      [2, 'Bo'],
      [5, 'Bo'],
    ])
  })

  it('reports an unknown dataset or key with a did-you-mean', () => {
    const e = compileError([{ join: { with: 'customer', on: ['cust'] } }], ORDERS, relations)
    expect(e.message).toBe(
      'ops[0] join: no dataset "customer" to join with; datasets: customers, people',
    )
    expect(e.hint).toBe('did you mean `customers`?')
    const k = compileError([{ join: { with: 'people', on: ['cust'] } }], ORDERS, relations)
    expect(k.message).toBe('ops[0] join: no column "cust" in people; columns: who, name')
    expect(compileError([{ join: { with: 'x', on: ['cust'] } }]).message).toMatch(
      /datasets: \(none\)/,
    )
  })

  it('refuses a suffixed name that is still taken', () => {
    const e = compileError(
      [{ derive: { amount_right: '1' } }, { join: { with: 'customers', on: ['cust'] } }],
      ORDERS,
      relations,
    )
    expect(e.message).toMatch(
      /ops\[1\] join: right-side column "amount" clashes with "amount_right"/,
    )
  })
})

describe('sort and limit', () => {
  it('sorts with - for descending, NULLs last both ways, ties stable', async () => {
    expect(await ids([{ sort: ['-amount'] }])).toEqual([3, 5, 1, 4, 2])
    expect(await ids([{ sort: 'status' }])).toEqual([3, 1, 2, 5, 4])
    expect(await ids([{ sort: ['-ts'] }])).toEqual([4, 1, 2, 5, 3])
    expect(await ids([{ sort: ['-status', '-id'] }])).toEqual([5, 2, 1, 3, 4])
  })

  it('limit keeps the first rows of the current order', async () => {
    expect(await ids([{ limit: 2 }])).toEqual([1, 2])
    expect(await ids([{ sort: ['status'] }, { limit: 2 }])).toEqual([3, 1])
    expect(await ids([{ limit: 0 }])).toEqual([])
    expect(await ids([{ limit: 99 }])).toEqual([1, 2, 3, 4, 5])
  })

  it('rejects an unknown sort column, naming the op', () => {
    const e = compileError([{ limit: 3 }, { sort: ['-amout'] }])
    expect(e.message).toBe('ops[1] sort: no column "amout"; columns: id, cust, amount, status, ts')
    expect(e.hint).toBe('did you mean `amount`?')
  })
})

describe('fill_null and drop_incomplete', () => {
  it('fills NULLs with numbers, strings (converted to the column type) and booleans', async () => {
    const r = await runOps(engine, 'orders', [
      { derive: { big: 'amount > 20' } },
      { fill_null: { amount: 0, status: 'n/a', ts: '2000-01-01 00:00:00', big: false } },
    ])
    expect(col(r, 'amount')).toEqual([10, 0, 30, 5, 30])
    expect(col(r, 'status')).toEqual(['ok', 'ok', 'bad', 'n/a', 'ok'])
    expect(col(r, 'ts')).toEqual([T1, T2, '2000-01-01T00:00:00', T4, T2])
    expect(col(r, 'big')).toEqual([false, false, true, false, true])
  })

  it('drops rows under the non-null share (4 of 5 meets 0.8)', async () => {
    // non-null counts of 5: id1 5, id2 4, id3 4, id4 3, id5 5
    expect(await ids([{ drop_incomplete: { min_share: 0.8 } }])).toEqual([1, 2, 3, 5])
    expect(await ids([{ drop_incomplete: { min_share: 0.81 } }])).toEqual([1, 5])
    expect(await ids([{ drop_incomplete: { min_share: 0.6 } }])).toEqual([1, 2, 3, 4, 5])
    expect(
      await ids([{ drop_incomplete: { min_share: 0.5, columns: ['cust', 'status'] } }]),
    ).toEqual([1, 2, 3, 5])
    expect(await ids([{ drop_incomplete: { min_share: 1, columns: ['amount'] } }])).toEqual([
      1, 3, 4, 5,
    ])
  })
})

describe('errors, empty input and a single row', () => {
  it('names the op, lists the current columns and suggests a name', () => {
    const e = compileError([{ select: ['id', 'amount'] }, { rename: { amout: 'a' } }])
    expect(e.code).toBe('E_SCHEMA_VALUE')
    expect(e.message).toBe('ops[1] rename: no column "amout"; columns: id, amount')
    expect(e.hint).toBe('did you mean `amount`?')
    const far = compileError([{ filter: 'true' }, { select: ['zzz'] }])
    expect(far.message).toBe(
      'ops[1] select: no column "zzz"; columns: id, cust, amount, status, ts',
    )
    expect(far.hint).toMatch(/check the spelling/)
  })

  it('refuses an item that is not exactly one op, and a reserved input column', () => {
    expect(compileError([{ limit: 1, filter: 'true' }]).message).toMatch(
      /^ops\[0\]: an op is an object with exactly one key/,
    )
    expect(compileError([{ limitt: 1 }]).message).toMatch(/got limitt/)
    expect(compileError([], ['id', '__sluice_rn']).message).toMatch(/reserved/)
  })

  const chain: TransformOp[] = [
    { filter: 'amount IS NOT NULL OR amount IS NULL' },
    { derive: { a2: 'amount * 2' } },
    { dedupe: { keys: ['id'] } },
    { sort: ['-amount'] },
    { impute: { columns: ['amount'], method: 'linear', order_by: 'ts' } },
    { outliers: { columns: ['amount'], action: 'flag' } },
    { scale: { columns: ['a2'], method: 'zscore' } },
    { sample: { fraction: 1 } },
    { limit: 10 },
  ]

  it('runs every kind of op over empty input', async () => {
    const r = await runOps(engine, 'empty_orders', chain)
    expect(r.columns).toEqual([...ORDERS, 'a2', 'amount_outlier'])
    expect(r.rows).toEqual([])
    expect(r.fitted).toEqual([
      {
        method: 'iqr',
        by: [],
        k: 1.5,
        groups: [
          {
            key: {},
            columns: { amount: { q1: null, q3: null, iqr: null, lower: null, upper: null } },
          },
        ],
      },
      {
        method: 'zscore',
        by: [],
        groups: [{ key: {}, columns: { a2: { mean: null, std: null, center: null, scale: 1 } } }],
      },
    ])
  })

  it('runs the same ops over a single row', async () => {
    const r = await runOps(engine, 'one_order', chain)
    expect(r.rows).toEqual([[1, 'c1', 10, 'ok', T1, 0, false]])
  })
})
