import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { columnLineage } from '../../../../src/transforms/sql/column-lineage.js'
import { lineageFromSqlAst } from '../../../../src/transforms/sql/lineage-from-sql-ast.js'

let engine: DuckDBEngine
beforeAll(async () => {
  engine = await DuckDBEngine.open({ threads: 1 })
})
afterAll(() => engine.close())

const tables = {
  orders: ['id', 'customer_id', 'amount', 'status'],
  customers: ['id', 'name', 'country'],
}
const r = (table: string, column: string) => ({ table, column })

/** name → inputs, for compact expectations. */
async function lineage(sql: string, opts: Parameters<typeof columnLineage>[2] = { tables }) {
  const got = await columnLineage(engine, sql, opts)
  return {
    tables: got.tables,
    columns: got.columns?.map((c) => [c.name, c.inputs, c.transformation]),
  }
}

describe('columnLineage', () => {
  it('maps plain columns, aliases and expressions to table.column', async () => {
    expect(
      await lineage('select id, amount * 1.19 as gross, upper(status) s, 1 as one from orders'),
    ).toEqual({
      tables: ['orders'],
      columns: [
        ['id', [r('orders', 'id')], 'IDENTITY'],
        ['gross', [r('orders', 'amount')], 'TRANSFORMATION'],
        ['s', [r('orders', 'status')], 'TRANSFORMATION'],
        ['one', [], 'TRANSFORMATION'],
      ],
    })
  })

  it('resolves table aliases and unqualified columns through a join; inputs are sorted and unique', async () => {
    const got = await lineage(
      `select o.id, c.name as customer, amount + o.amount as twice, country || name as label
       from orders o join customers c on o.customer_id = c.id`,
    )
    expect(got.columns).toEqual([
      ['id', [r('orders', 'id')], 'IDENTITY'],
      ['customer', [r('customers', 'name')], 'IDENTITY'],
      ['twice', [r('orders', 'amount')], 'TRANSFORMATION'],
      ['label', [r('customers', 'country'), r('customers', 'name')], 'TRANSFORMATION'],
    ])
    expect(got.tables).toEqual(['customers', 'orders'])
  })

  it('an unqualified column both sides of a join have is ambiguous: undefined, not a guess', async () => {
    const got = await lineage(
      'select id, name from orders join customers on customer_id = customers.id',
    )
    expect(got.columns).toEqual([
      ['id', undefined, undefined],
      ['name', [r('customers', 'name')], 'IDENTITY'],
    ])
  })

  it('follows CTEs (with column aliases) and subqueries back to base tables', async () => {
    const got = await lineage(
      `with big(k, amt) as (select id, amount * 2 from orders where amount > 10),
            named as (select k, amt, c.name from big join customers c on c.id = big.k)
       select k as order_id, s.total, name
       from named, (select sum(amount) as total from orders) s`,
    )
    expect(got).toEqual({
      tables: ['customers', 'orders'],
      columns: [
        ['order_id', [r('orders', 'id')], 'IDENTITY'],
        ['total', [r('orders', 'amount')], 'AGGREGATION'],
        ['name', [r('customers', 'name')], 'IDENTITY'],
      ],
    })
  })

  it('marks aggregates and window functions, with group by', async () => {
    const got = await lineage(
      `select status, count(*) as n, sum(amount) as total,
              rank() over (partition by status order by max(amount)) as rk
       from orders group by status`,
    )
    expect(got.columns).toEqual([
      ['status', [r('orders', 'status')], 'IDENTITY'],
      ['n', [], 'AGGREGATION'],
      ['total', [r('orders', 'amount')], 'AGGREGATION'],
      ['rk', [r('orders', 'amount'), r('orders', 'status')], 'AGGREGATION'],
    ])
  })

  it('expands * and t.* from known schemas, honouring EXCLUDE', async () => {
    const got = await lineage(
      'select * exclude (status, customer_id), c.* from orders join customers c on c.id = orders.customer_id',
    )
    expect(got.columns?.map((c) => c[0])).toEqual([
      'id',
      'amount',
      'id',
      'name',
      'country',
      'id',
      'name',
      'country',
    ])
    expect(got.columns?.[1]).toEqual(['amount', [r('orders', 'amount')], 'IDENTITY'])
    expect(got.columns?.[5]).toEqual(['id', [r('customers', 'id')], 'IDENTITY'])
  })

  it('USING joins list the shared column once, from both tables', async () => {
    const got = await lineage(
      'select * from (select id, amount from orders) a join (select id, name from customers) b using (id)',
    )
    expect(got.columns).toEqual([
      ['id', [r('customers', 'id'), r('orders', 'id')], 'IDENTITY'],
      ['amount', [r('orders', 'amount')], 'IDENTITY'],
      ['name', [r('customers', 'name')], 'IDENTITY'],
    ])
  })

  it('UNION ALL merges inputs position by position, names from the left side', async () => {
    const got = await lineage(
      'select id, name from customers union all select id, status from orders',
    )
    expect(got.columns).toEqual([
      ['id', [r('customers', 'id'), r('orders', 'id')], 'IDENTITY'],
      ['name', [r('customers', 'name'), r('orders', 'status')], 'IDENTITY'],
    ])
  })

  it('without schemas: qualified and single-table columns resolve, * does not', async () => {
    expect(await lineage('select t.a, b from t', {})).toEqual({
      tables: ['t'],
      columns: [
        ['a', [r('t', 'a')], 'IDENTITY'],
        ['b', [r('t', 'b')], 'IDENTITY'],
      ],
    })
    expect(await lineage('select * from t', {})).toEqual({ tables: ['t'], columns: undefined })
    // b could be t.b or the alias b: unknown
    expect((await lineage('select a + 1 as b, b * 2 as c from t', {})).columns).toEqual([
      ['b', [r('t', 'a')], 'TRANSFORMATION'],
      ['c', undefined, undefined],
    ])
  })

  it('reuses an earlier alias when the table has no such column', async () => {
    expect(
      (await lineage('select amount * 2 as dbl, dbl + 1 as plus from orders')).columns,
    ).toEqual([
      ['dbl', [r('orders', 'amount')], 'TRANSFORMATION'],
      ['plus', [r('orders', 'amount')], 'TRANSFORMATION'],
    ])
  })

  it('scalar subqueries, lambdas and table functions give undefined inputs', async () => {
    const got = await lineage(
      `select (select max(id) from customers) as m, list_transform([1], x -> x + 1) as l, id from orders`,
    )
    expect(got.columns).toEqual([
      ['m', undefined, undefined],
      ['l', undefined, undefined],
      ['id', [r('orders', 'id')], 'IDENTITY'],
    ])
    expect((await lineage("select a from read_csv('x.csv')")).columns).toEqual([
      ['a', undefined, undefined],
    ])
  })

  it('names unaliased expressions from outputColumns', async () => {
    const got = await columnLineage(engine, 'select amount + 1, id from orders', {
      tables,
      outputColumns: ['(amount + 1)', 'id'],
    })
    expect(got.columns?.map((c) => c.name)).toEqual(['(amount + 1)', 'id'])
    const bare = await columnLineage(engine, 'select amount + 1 from orders', { tables })
    expect(bare.columns?.[0]?.name).toBeUndefined()
  })

  it('unparseable SQL and non-SELECT statements give undefined columns; the last statement counts', async () => {
    expect(await lineage('selec id from orders')).toEqual({ tables: [], columns: undefined })
    expect(await lineage("it's broken")).toEqual({ tables: [], columns: undefined })
    expect((await lineage('select 1 as a; select id from orders')).columns).toEqual([
      ['id', [r('orders', 'id')], 'IDENTITY'],
    ])
    expect(lineageFromSqlAst(undefined)).toEqual({ tables: [], columns: undefined })
    expect(lineageFromSqlAst({ error: true })).toEqual({ tables: [], columns: undefined })
  })
})
