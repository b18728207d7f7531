import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContractSpec } from '../../../../src/core/spec/contract-schema.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { planContract } from '../../../../src/transforms/contract/plan-contract.js'

let engine: DuckDBEngine
beforeAll(async () => {
  engine = await DuckDBEngine.open({})
  await engine.run(`CREATE TABLE t AS SELECT * FROM (VALUES
    (1::BIGINT, 'a', 1.25::DECIMAL(5,2)),
    (3000000000::BIGINT, 'b', 2.50::DECIMAL(5,2)),
    (3::BIGINT, NULL, 3.75::DECIMAL(5,2))) v(id, tag, amount)`)
})
afterAll(() => engine.close())

async function apply(contract: ContractSpec) {
  const { schema } = await engine.all('SELECT * FROM t')
  const plan = planContract(contract, 't', schema)
  const counts = (await engine.all(plan.countSql)).rows[0]!.map(Number)
  const d = plan.decide(counts)
  const rows = d.rewriteSql ? await engine.all(d.rewriteSql) : undefined
  const rejects = d.rejectsSql ? (await engine.all(d.rejectsSql)).rows : []
  return { d, rows, rejects }
}

describe('planContract', () => {
  it('evolve: a value too big for int32 widens the column to the data type (int64)', async () => {
    const { d, rows } = await apply({
      columns: { id: 'int32', tag: 'string', amount: 'decimal(5,2)' },
    })
    expect(d.failures).toEqual([])
    expect(d.notes).toEqual(['id: evolved from int32 to int64 (1 values did not fit)'])
    expect(rows!.schema.columns.map((c) => c.type.kind)).toEqual(['int64', 'string', 'decimal'])
  })

  it('freeze: the same value fails; a lossy decimal cast also counts', async () => {
    const { d } = await apply({
      policy: 'freeze',
      columns: { id: 'int32', tag: 'string', amount: 'decimal(4,1)' },
    })
    expect(d.failures).toEqual([
      '1 of 3 rows: id does not fit int32 (policy freeze)',
      '2 of 3 rows: amount does not fit decimal(4,1) (policy freeze)',
    ])
  })

  it('discard_row with a column policy: only that column decides; rejects carry line and raw row', async () => {
    const { d, rows, rejects } = await apply({
      columns: {
        id: { type: 'int32', policy: 'discard_row' },
        tag: 'string',
        amount: 'decimal(5,2)',
      },
    })
    expect(d.failures).toEqual([])
    expect(rows!.rows.map((r) => r[0])).toEqual([1, 3])
    expect(rejects).toEqual([
      ['contract', 2n, 'id: does not fit int32', '{"id":3000000000,"tag":"b","amount":2.5}'],
    ])
  })

  it('a declared column the data lacks: added as NULL, or a failure when NOT NULL or frozen', async () => {
    const added = await apply({ columns: { id: 'int64', note: 'string' } })
    expect(added.d.notes).toEqual([
      'note: missing from the data, added as NULL',
      'tag: new column, kept (evolve)',
      'amount: new column, kept (evolve)',
    ])
    expect(added.rows!.schema.columns.map((c) => c.name)).toEqual(['id', 'note', 'tag', 'amount'])
    const required = await apply({ columns: { id: 'int64', note: { nullable: false } } })
    expect(required.d.failures).toEqual(['note: declared NOT NULL but the data has no such column'])
  })

  it('values, pattern, min and max; NULL passes them, NOT NULL catches it', async () => {
    const { d } = await apply({
      policy: 'freeze',
      columns: {
        id: { type: 'int64', min: 1, max: 5 },
        tag: { values: ['a', 'b'], pattern: '^[a-z]$', nullable: false },
        amount: { type: 'decimal(5,2)' },
      },
    })
    expect(d.failures).toEqual([
      '1 of 3 rows: id above 5 (policy freeze)',
      '1 of 3 rows: tag NULL (policy freeze)',
    ])
  })

  it('an unknown type is a clear error', () => {
    expect(() => planContract({ columns: { id: 'integer128' } }, 't', { columns: [] })).toThrow(
      /contract column id: unknown type "integer128"/,
    )
  })
})
