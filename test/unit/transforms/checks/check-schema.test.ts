import { describe, expect, it } from 'vitest'
import { CHECK_TYPES, checkSchema, type CheckSpec } from '../../../../src/core/spec/check-schema.js'
import { checkSchema as reExported } from '../../../../src/core/spec/task-common-schema.js'
import { checkTask } from '../../../../src/core/tasks/check-task.js'
import { checkName } from '../../../../src/transforms/checks/check-name.js'
import { checkTypeOf } from '../../../../src/transforms/checks/check-type-of.js'
import { compileCheck } from '../../../../src/transforms/checks/compile-check.js'

/** The sluice codes zod issues carry (custom refinements), or zod's own code. */
function codes(value: unknown): string[] {
  const r = checkSchema.safeParse(value)
  if (r.success) return []
  return r.error.issues.map((i) =>
    i.code === 'custom' ? String((i.params as { code?: string }).code) : i.code,
  )
}

describe('checkSchema', () => {
  it('is the schema task-common re-exports', () => {
    expect(reExported).toBe(checkSchema)
  })

  it('accepts every documented YAML shape', () => {
    const ok: unknown[] = [
      { not_null: 'id' },
      { not_null: ['id', 'amount'], severity: 'warn', name: 'ids', description: 'keys' },
      { unique: ['a', 'b'] },
      { accepted_values: { column: 'status', values: ['new', 'paid', 3, true], allow_null: true } },
      { range: { column: 'amount', min: 0, max: 1000, inclusive: true } },
      { range: { column: 'day', min: '2024-01-01' } },
      { regex: { column: 'email', pattern: '^[^@]+@[^@]+$' } },
      { row_count: { min: 1, max: 1_000_000 } },
      { row_count: { max: 0 } },
      { freshness: { column: 'ts', max_age: '1d' } },
      { freshness: { column: 'ts', max_age: 'PT2H' } },
      { monotonic: { column: 'ts', by: ['sensor'], strict: false } },
      { monotonic: { column: 'ts', by: 'sensor' } },
      { no_future: { column: 'ts', tolerance: '5m' } },
      { no_future: { column: 'ts' } },
      { max_gap: { column: 'ts', by: ['sensor'], max: '15m' } },
      { referential: { column: 'customer_id', to: 'customers', to_column: 'id' } },
      { expression: 'amount > 0', name: 'amount_positive' },
      { sql: 'select * from input where amount < 0' },
    ]
    for (const v of ok) expect(codes(v), JSON.stringify(v)).toEqual([])
    expect(CHECK_TYPES).toHaveLength(13)
  })

  it('needs exactly one check key', () => {
    expect(codes({ name: 'c' })).toEqual(['E_SCHEMA_REQUIRED'])
    expect(codes({ not_null: 'a', unique: 'a' })).toEqual(['E_SCHEMA_VALUE'])
    const r = checkSchema.safeParse({ not_null: 'a', unique: 'a' })
    expect(r.error?.issues[0]?.message).toContain('not_null and unique')
  })

  it('rejects unknown keys, bad values and empty bounds', () => {
    expect(codes({ not_nul: 'a' })).toEqual(['unrecognized_keys'])
    expect(codes({ not_null: [] })).not.toEqual([])
    expect(codes({ not_null: 'a', severity: 'fatal' })).toEqual(['invalid_value'])
    expect(codes({ range: { column: 'a' } })).toEqual(['E_SCHEMA_REQUIRED'])
    expect(codes({ row_count: {} })).toEqual(['E_SCHEMA_REQUIRED'])
    expect(codes({ row_count: { min: 5, max: 1 } })).toEqual(['E_SCHEMA_VALUE'])
    expect(codes({ row_count: { min: -1 } })).not.toEqual([])
    expect(codes({ freshness: { column: 'ts', max_age: 'soon' } })).toEqual(['E_DURATION_INVALID'])
    expect(codes({ freshness: { column: 'ts' } })).not.toEqual([])
    expect(codes({ accepted_values: { column: 's', values: [] } })).not.toEqual([])
    expect(codes({ regex: { column: 'e', pattern: '' } })).not.toEqual([])
    expect(codes({ referential: { column: 'c' } })).not.toEqual([])
  })

  it('is what a check task lists', () => {
    const task = { type: 'check', checks: [{ not_null: 'id' }] }
    expect(checkTask.schema.safeParse(task).success).toBe(true)
    expect(checkTask.schema.safeParse({ ...task, checks: [{ name: 'only a name' }] }).success).toBe(
      false,
    )
  })
})

describe('checkName and checkTypeOf', () => {
  it('derives names from the check', () => {
    const names = (
      [
        { not_null: 'id' },
        { not_null: ['id', 'amount'] },
        { unique: ['a', 'b'] },
        { accepted_values: { column: 'status', values: ['x'] } },
        { row_count: { min: 1 } },
        { freshness: { column: 'ts', max_age: '1d' } },
        { referential: { column: 'customer_id', to: 'customers' } },
        { expression: 'amount   >\n 0' },
        { expression: 'a_really_long_column_name + another_long_one > 0' },
        { sql: 'select 1' },
        { not_null: 'id', name: 'mine' },
      ] as CheckSpec[]
    ).map(checkName)
    expect(names).toEqual([
      'not_null(id)',
      'not_null(id, amount)',
      'unique(a, b)',
      'accepted_values(status)',
      'row_count',
      'freshness(ts)',
      'referential(customer_id)',
      'expression(amount > 0)',
      'expression(a_really_long_column_name + another_lon…)',
      'sql',
      'mine',
    ])
  })

  it('refuses a spec with no or several check keys (built without validation)', () => {
    expect(() => checkTypeOf({ name: 'x' })).toThrow(/check x has no check key/)
    expect(() => checkTypeOf({ not_null: 'a', sql: 'select 1' })).toThrow(
      expect.objectContaining({ code: 'E_SCHEMA_VALUE' }),
    )
  })
})

describe('compileCheck', () => {
  it('quotes identifiers and literals and defaults severity to error', () => {
    const c = compileCheck({ accepted_values: { column: 'st"at', values: ["it's"] } }, { sql: 't' })
    expect(c.severity).toBe('error')
    expect(c.type).toBe('accepted_values')
    expect(c.failingSql).toBe(
      `SELECT * FROM t AS _sluice_t WHERE "st""at" IS NULL OR "st""at" NOT IN ('it''s')`,
    )
    expect(c.totalSql).toBe('SELECT count(*) FROM t AS _sluice_t')
  })

  it('numbers rows only where order matters', () => {
    const plain = compileCheck({ not_null: 'a' }, { sql: 't' })
    expect(plain.failingSql).not.toContain('row_number')
    expect(plain.sampleSql).toContain('row_number() OVER ()')
    const mono = compileCheck({ monotonic: { column: 'ts' } }, { sql: 't' })
    expect(mono.failingSql).toContain('row_number() OVER ()')
  })

  it('puts the custom SQL after a newline so a trailing comment cannot swallow the wrapper', () => {
    const c = compileCheck(
      { sql: 'select * from input -- negative;\n;' },
      { sql: '(select 1 as x)', relations: { c: 'customers' } },
    )
    expect(c.failingSql).toBe(
      'WITH input AS (SELECT * FROM (select 1 as x)), "c" AS (SELECT * FROM customers) ' +
        'SELECT * FROM (select * from input -- negative\n) AS _sluice_custom',
    )
  })
})
