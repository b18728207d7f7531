import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import { formatColumnType } from '../../../../src/data/types/format-column-type.js'
import { parseColumnType } from '../../../../src/data/types/parse-column-type.js'
import { columnType } from './arbitraries.js'

function parseError(text: string): SluiceError {
  try {
    parseColumnType(text)
  } catch (e) {
    expect(e).toBeInstanceOf(SluiceError)
    return e as SluiceError
  }
  throw new Error(`expected ${text} to fail`)
}

describe('parseColumnType / formatColumnType', () => {
  it.each([
    ['int64', { kind: 'int64' }],
    ['bigint', { kind: 'int64' }],
    ['INTEGER', { kind: 'int32' }],
    ['int', { kind: 'int32' }],
    ['smallint', { kind: 'int32' }],
    ['double', { kind: 'float64' }],
    ['Double   Precision', { kind: 'float64' }],
    ['float', { kind: 'float64' }],
    ['real', { kind: 'float64' }],
    ['text', { kind: 'string' }],
    ['varchar', { kind: 'string' }],
    ['varchar(255)', { kind: 'string' }],
    ['character varying ( 20 )', { kind: 'string' }],
    ['bool', { kind: 'boolean' }],
    ['date', { kind: 'date' }],
    ['datetime', { kind: 'timestamp' }],
    ['timestamp without time zone', { kind: 'timestamp' }],
    ['timestamp with time zone', { kind: 'timestamptz' }],
    ['timestamp(6) with time zone', { kind: 'timestamptz' }],
    ['timestamptz', { kind: 'timestamptz' }],
    ['jsonb', { kind: 'json' }],
    ['bytea', { kind: 'binary' }],
    ['decimal(38,9)', { kind: 'decimal', precision: 38, scale: 9 }],
    ['NUMERIC( 10 , 2 )', { kind: 'decimal', precision: 10, scale: 2 }],
    ['numeric(10)', { kind: 'decimal', precision: 10, scale: 0 }],
    ['decimal', { kind: 'decimal', precision: 38, scale: 9 }],
    ['  string  ', { kind: 'string' }],
  ])('%s', (text, expected) => {
    expect(parseColumnType(text)).toEqual(expected)
  })

  it('formats canonical names', () => {
    expect(formatColumnType({ kind: 'decimal', precision: 12, scale: 3 })).toBe('decimal(12,3)')
    expect(formatColumnType({ kind: 'timestamptz' })).toBe('timestamptz')
  })

  it('round-trips every type through its text', () => {
    fc.assert(
      fc.property(columnType, (t) => {
        expect(parseColumnType(formatColumnType(t))).toEqual(t)
      }),
    )
  })

  it('suggests the closest name for a typo and lists the valid types', () => {
    const e = parseError('intger')
    expect(e.code).toBe('E_SCHEMA_VALUE')
    expect(e.message).toBe('unknown column type `intger`; did you mean `integer`?')
    expect(e.hint).toContain('boolean, int32, int64, float64, decimal(p,s), string')
    expect(parseError('varchr(10)').message).toContain('did you mean `varchar`?')
    expect(parseError('timstamptz').message).toContain('did you mean `timestamptz`?')
  })

  it('gives no suggestion for far-off names', () => {
    const e = parseError('geometry')
    expect(e.message).toBe('unknown column type `geometry`')
    expect(e.hint).toContain('valid types')
  })

  it.each([
    ['numeric(40,2)', 'precision 40 is out of range 1–38'],
    ['decimal(0,0)', 'precision 0 is out of range'],
    ['numeric(5,6)', 'scale 6 is larger than its precision 5'],
    ['date(3)', '`date` takes no length argument'],
    ['int unsigned', 'unknown column type'],
    ['', 'unknown column type'],
    ['decimal(1,2,3)', 'unknown column type'],
  ])('rejects %j', (text, message) => {
    expect(parseError(text).message).toContain(message)
  })
})
