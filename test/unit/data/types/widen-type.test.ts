import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ColumnType } from '../../../../src/data/column-type.js'
import { parseColumnType } from '../../../../src/data/types/parse-column-type.js'
import { widenType } from '../../../../src/data/types/widen-type.js'
import { columnType, numericOrString, temporalOrString } from './arbitraries.js'

const t = parseColumnType
const w = (a: string, b: string): ColumnType | undefined => widenType(t(a), t(b))

describe('widenType', () => {
  it.each([
    ['int32', 'int32', 'int32'],
    ['int32', 'int64', 'int64'],
    ['int32', 'decimal(5,2)', 'decimal(12,2)'],
    ['int64', 'decimal(5,2)', 'decimal(21,2)'],
    ['int64', 'decimal(38,0)', 'decimal(38,0)'],
    ['decimal(10,2)', 'decimal(6,4)', 'decimal(12,4)'],
    ['decimal(38,30)', 'int32', 'float64'],
    ['decimal(38,20)', 'int64', 'float64'],
    ['int32', 'float64', 'float64'],
    ['int64', 'float64', 'float64'],
    ['decimal(5,2)', 'float64', 'float64'],
    ['date', 'timestamp', 'timestamp'],
    ['date', 'timestamptz', 'timestamptz'],
    ['timestamp', 'timestamptz', 'timestamptz'],
    ['json', 'string', 'string'],
    ['binary', 'string', 'string'],
    ['boolean', 'string', 'string'],
    ['int64', 'string', 'string'],
    ['json', 'json', 'json'],
    ['binary', 'binary', 'binary'],
  ])('%s + %s = %s', (a, b, expected) => {
    expect(w(a, b)).toEqual(t(expected))
    expect(w(b, a)).toEqual(t(expected))
  })

  it.each([
    ['binary', 'int32'],
    ['boolean', 'int32'],
    ['boolean', 'date'],
    ['json', 'int64'],
    ['date', 'int64'],
    ['json', 'binary'],
    ['timestamptz', 'float64'],
  ])('%s + %s has no lossless common type', (a, b) => {
    expect(w(a, b)).toBeUndefined()
  })

  it('is commutative', () => {
    fc.assert(
      fc.property(columnType, columnType, (a, b) => {
        expect(widenType(a, b)).toEqual(widenType(b, a))
      }),
    )
  })

  it('is idempotent', () => {
    fc.assert(
      fc.property(columnType, (a) => {
        expect(widenType(a, a)).toEqual(a)
      }),
    )
  })

  const associative = (a: ColumnType, b: ColumnType, c: ColumnType): void => {
    const ab = widenType(a, b)
    const bc = widenType(b, c)
    expect(ab).toBeDefined()
    expect(bc).toBeDefined()
    expect(widenType(ab!, c)).toEqual(widenType(a, bc!))
  }

  it('is total and associative over numbers and string', () => {
    fc.assert(fc.property(numericOrString, numericOrString, numericOrString, associative), {
      numRuns: 3000,
    })
  })

  it('is total and associative over dates, timestamps and string', () => {
    fc.assert(fc.property(temporalOrString, temporalOrString, temporalOrString, associative))
  })

  it('is associative wherever both groupings are defined (all types)', () => {
    fc.assert(
      fc.property(columnType, columnType, columnType, (a, b, c) => {
        const ab = widenType(a, b)
        const bc = widenType(b, c)
        const left = ab && widenType(ab, c)
        const right = bc && widenType(a, bc)
        if (left !== undefined && right !== undefined) expect(left).toEqual(right)
      }),
      { numRuns: 2000 },
    )
  })

  it('is partial across families: the documented exception to associativity', () => {
    const left = widenType(t('binary'), t('int32'))
    expect(left).toBeUndefined()
    expect(widenType(t('binary'), widenType(t('int32'), t('string'))!)).toEqual(t('string'))
  })

  it('returns an upper bound: widening again by either input changes nothing', () => {
    fc.assert(
      fc.property(columnType, columnType, (a, b) => {
        const j = widenType(a, b)
        if (j === undefined) return
        expect(widenType(j, a)).toEqual(j)
        expect(widenType(j, b)).toEqual(j)
      }),
    )
  })
})
