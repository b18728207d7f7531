import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatSchemaDiff } from '../../../../src/data/types/format-schema-diff.js'
import { parseColumnType } from '../../../../src/data/types/parse-column-type.js'
import { schemaDiff } from '../../../../src/data/types/schema-diff.js'
import { columnType } from './arbitraries.js'
import { col, schema } from './schemas.js'

describe('schemaDiff', () => {
  const before = schema(
    col('id', 'int64', false),
    col('qty', 'int32'),
    col('price', 'decimal(10,2)'),
    col('seen', 'date'),
    col('note', 'string'),
    col('legacy', 'int32'),
    col('payload', 'binary'),
  )
  const after = schema(
    col('id', 'int32', false),
    col('qty', 'int64'),
    col('price', 'decimal(12,4)'),
    col('seen', 'timestamptz', false),
    col('note', 'string', false),
    col('payload', 'int32'),
    col('email', 'string'),
  )

  it('sorts every difference into its bucket', () => {
    const diff = schemaDiff(before, after)
    expect(diff.added).toEqual([col('email', 'string')])
    expect(diff.removed).toEqual([col('legacy', 'int32')])
    expect(diff.widened).toEqual([
      { name: 'qty', from: parseColumnType('int32'), to: parseColumnType('int64') },
      {
        name: 'price',
        from: parseColumnType('decimal(10,2)'),
        to: parseColumnType('decimal(12,4)'),
      },
      { name: 'seen', from: parseColumnType('date'), to: parseColumnType('timestamptz') },
    ])
    expect(diff.changed).toEqual([
      { name: 'id', from: parseColumnType('int64'), to: parseColumnType('int32') },
      { name: 'payload', from: parseColumnType('binary'), to: parseColumnType('int32') },
    ])
    expect(diff.nullability).toEqual([
      { name: 'seen', from: true, to: false },
      { name: 'note', from: true, to: false },
    ])
    expect(diff.compatible).toBe(false)
  })

  it('is compatible when only additions, removals, widenings and nullability differ', () => {
    const diff = schemaDiff(
      schema(col('a', 'int32', false), col('b', 'string')),
      schema(col('a', 'float64'), col('c', 'json')),
    )
    expect(diff.compatible).toBe(true)
    expect(diff.widened).toHaveLength(1)
  })

  it('treats decimal(10,2) → decimal(10,4) as a change, not a widening (integer digits shrink)', () => {
    const diff = schemaDiff(schema(col('p', 'decimal(10,2)')), schema(col('p', 'decimal(10,4)')))
    expect(diff.changed).toHaveLength(1)
    expect(formatSchemaDiff(diff)).toBe(
      '! changed  p decimal(10,2) -> decimal(10,4) (needs a wider type)',
    )
  })

  it('finds nothing between a schema and itself, ignoring column order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ minLength: 1 }), columnType, fc.boolean()), {
          selector: ([n]) => n,
        }),
        (cols) => {
          const s = schema(...cols.map(([name, type, nullable]) => ({ name, type, nullable })))
          const diff = schemaDiff(s, schema(...[...s.columns].reverse()))
          expect(diff).toEqual({
            added: [],
            removed: [],
            widened: [],
            changed: [],
            nullability: [],
            compatible: true,
          })
          expect(formatSchemaDiff(diff)).toBe('no differences')
        },
      ),
    )
  })

  it('formats one line per difference', () => {
    expect(formatSchemaDiff(schemaDiff(before, after))).toBe(
      [
        '+ added    email string',
        '- removed  legacy int32',
        '~ widened  qty int32 -> int64',
        '~ widened  price decimal(10,2) -> decimal(12,4)',
        '~ widened  seen date -> timestamptz',
        '! changed  id int64 -> int32 (narrowing)',
        '! changed  payload binary -> int32 (incompatible)',
        '? nullable seen null -> not null',
        '? nullable note null -> not null',
      ].join('\n'),
    )
  })
})
