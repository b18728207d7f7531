import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../../../src/core/error-codes.js'
import { evolveSchema, type EvolveResult } from '../../../../src/data/types/evolve-schema.js'
import { parseColumnType } from '../../../../src/data/types/parse-column-type.js'
import { col, schema } from './schemas.js'

const failure = (r: EvolveResult) => {
  if (r.ok) throw new Error('expected a failure')
  return r.error
}

describe('evolveSchema', () => {
  const dest = schema(col('id', 'int64', false), col('amount', 'decimal(10,2)'), col('day', 'date'))

  it('accepts an incoming schema that fits as is, under every policy', () => {
    const incoming = schema(
      col('id', 'int32'),
      col('amount', 'decimal(5,2)', false),
      col('day', 'date'),
    )
    for (const policy of ['evolve', 'freeze', 'discard_columns'] as const) {
      const r = evolveSchema(dest, incoming, policy)
      expect(r).toMatchObject({ ok: true, schema: dest, actions: [], discarded: [] })
    }
  })

  it('keeps destination columns the incoming schema lacks', () => {
    const r = evolveSchema(dest, schema(col('id', 'int64')), 'freeze')
    expect(r).toMatchObject({ ok: true, schema: dest, actions: [] })
    expect(r.diff.removed.map((c) => c.name)).toEqual(['amount', 'day'])
  })

  const incoming = schema(
    col('email', 'string', false),
    col('id', 'int64'),
    col('amount', 'int64'),
    col('day', 'timestamptz'),
  )

  it('evolve: widens types and adds nullable columns', () => {
    const r = evolveSchema(dest, incoming, 'evolve')
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.actions).toEqual([
      { widen: { name: 'amount', to: parseColumnType('decimal(21,2)') } },
      { widen: { name: 'day', to: parseColumnType('timestamptz') } },
      { add: col('email', 'string', true) },
    ])
    expect(r.schema).toEqual(
      schema(
        col('id', 'int64', false),
        col('amount', 'decimal(21,2)'),
        col('day', 'timestamptz'),
        col('email', 'string'),
      ),
    )
    expect(evolveSchema(r.schema, incoming, 'freeze').ok).toBe(true)
  })

  it('evolve: fails on an incompatible change, naming the column and the way out', () => {
    const e = failure(
      evolveSchema(dest, schema(col('day', 'binary'), col('x', 'int32')), 'evolve', {
        table: 'public.orders',
      }),
    )
    expect(e.code).toBe('E_SCHEMA_DRIFT')
    expect(e.retryable).toBe(false)
    expect(e.message).toBe(
      [
        'incoming schema does not fit `public.orders` under `schema_evolution: evolve`:',
        '+ added    x int32',
        '- removed  id int64 not null',
        '- removed  amount decimal(10,2)',
        '! changed  day date -> binary (incompatible)',
      ].join('\n'),
    )
    expect(e.hint).toContain('cast the column explicitly')
    expect(e.hint).not.toContain('schema_evolution: evolve`')
  })

  it('freeze: fails on new columns and needed widenings, hinting at evolve and discard_columns', () => {
    const e = failure(evolveSchema(dest, incoming, 'freeze'))
    expect(e.code).toBe('E_SCHEMA_DRIFT')
    expect(e.message).toContain('the destination under `schema_evolution: freeze`')
    expect(e.message).toContain('+ added    email string not null')
    expect(e.message).toContain('~ widened  day date -> timestamptz')
    expect(e.hint).toBe(
      'set `schema_evolution: evolve` on the destination to add columns and widen types, or `schema_evolution: discard_columns` to drop new columns',
    )
  })

  it('freeze: tolerates nullability differences', () => {
    const r = evolveSchema(
      dest,
      schema(col('id', 'int64', true), col('day', 'date', false)),
      'freeze',
    )
    expect(r.ok).toBe(true)
    expect(r.diff.nullability).toHaveLength(2)
  })

  it('discard_columns: drops new columns', () => {
    const r = evolveSchema(
      dest,
      schema(col('id', 'int64'), col('extra', 'json')),
      'discard_columns',
    )
    expect(r).toMatchObject({ ok: true, schema: dest, actions: [], discarded: ['extra'] })
  })

  it('discard_columns: still fails when a type would have to widen', () => {
    const e = failure(evolveSchema(dest, incoming, 'discard_columns'))
    expect(e.message).toContain('`schema_evolution: discard_columns`')
    expect(e.hint).toBe(
      'set `schema_evolution: evolve` on the destination to add columns and widen types',
    )
  })

  it('has its error code documented', () => {
    expect(ERROR_CODES.E_SCHEMA_DRIFT.retryable).toBe(false)
  })
})
