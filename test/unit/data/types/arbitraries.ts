import fc from 'fast-check'
import { TYPE_KINDS, type ColumnType, type TypeKind } from '../../../../src/data/column-type.js'

const SIMPLE = TYPE_KINDS.filter((k): k is Exclude<TypeKind, 'decimal'> => k !== 'decimal')

export const decimalType: fc.Arbitrary<ColumnType> = fc
  .integer({ min: 1, max: 38 })
  .chain((precision) =>
    fc.integer({ min: 0, max: precision }).map((scale) => ({
      kind: 'decimal' as const,
      precision,
      scale,
    })),
  )

export const columnType: fc.Arbitrary<ColumnType> = fc.oneof(
  fc.constantFrom(...SIMPLE).map((kind): ColumnType => ({ kind })),
  decimalType,
)

/** Numeric types and string: one family where widenType is total. */
export const numericOrString: fc.Arbitrary<ColumnType> = fc.oneof(
  fc
    .constantFrom('int32', 'int64', 'float64', 'string' as const)
    .map((kind): ColumnType => ({ kind })),
  decimalType,
)

/** Temporal types and string. */
export const temporalOrString: fc.Arbitrary<ColumnType> = fc
  .constantFrom('date', 'timestamp', 'timestamptz', 'string' as const)
  .map((kind): ColumnType => ({ kind }))

const pad = (n: number, w: number): string => String(n).padStart(w, '0')

/** Canonical timestamp text (column-type.ts conventions) for any microsecond in 0001–9999. */
export const canonicalTimestamp: fc.Arbitrary<string> = fc
  .record({
    date: fc.date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    }),
    micro: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ date, micro }) => {
    const iso = date.toISOString() // YYYY-MM-DDTHH:MM:SS.mmmZ for years 0001–9999
    const ms = date.getUTCMilliseconds()
    const frac = ms * 1000 + micro
    return `${iso.slice(0, 19)}${frac === 0 ? '' : `.${pad(frac, 6)}`}`
  })

/** Typed JS values in their canonical convention forms. */
export const typedValue = fc.oneof(
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.uint8Array({ maxLength: 16 }),
  fc.string(),
  fc.constantFrom('', 'NA', 'abc', ' 12', '007'),
)
