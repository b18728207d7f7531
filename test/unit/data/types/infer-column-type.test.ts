import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Value } from '../../../../src/data/column-type.js'
import { castValue } from '../../../../src/data/types/cast-value.js'
import { formatColumnType } from '../../../../src/data/types/format-column-type.js'
import { inferColumnType } from '../../../../src/data/types/infer-column-type.js'
import { canonicalTimestamp, typedValue } from './arbitraries.js'

const typeOf = (samples: Value[], options = {}): string =>
  formatColumnType(inferColumnType(samples, options).type)

/** Text as it could appear in a CSV cell. */
const rawText = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc
    .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.nat({ max: 99999 }))
    .map(([i, f]) => `${i}.${f}`),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d.toExponential()),
  fc.constantFrom('true', 'false', 'TRUE', 'False', '', 'NA', '007', '+5', ' 1', '1.', '.5', 'NaN'),
  canonicalTimestamp,
  canonicalTimestamp.map((t) => `${t}Z`),
  canonicalTimestamp.map((t) => t.slice(0, 10)),
  fc.jsonValue().map((j) => JSON.stringify(j)),
  fc.string(),
)

describe('inferColumnType: raw text', () => {
  it.each<[string[], string]>([
    [['12', '-13', '0'], 'int32'],
    [['2147483648'], 'int64'],
    [['9007199254740993'], 'int64'],
    [['99999999999999999999'], 'decimal(20,0)'],
    [['1'.repeat(39)], 'string'],
    [['1.50'], 'decimal(3,2)'],
    [['0.5'], 'decimal(1,1)'],
    [['1.50', '22.1', '-333'], 'decimal(12,2)'],
    [['1.50', '9007199254740993'], 'decimal(21,2)'],
    [['1.' + '1'.repeat(37)], 'decimal(38,37)'],
    [['1.' + '1'.repeat(38)], 'string'],
    [['1e3'], 'float64'],
    [['1e3', '12', '1.5'], 'float64'],
    [['1e3', '0.12345678901234567890'], 'string'],
    [['1e3', '9007199254740993'], 'string'],
    [['true', 'FALSE', 'True'], 'boolean'],
    [['2024-01-01'], 'date'],
    [['2024-01-01', '2024-01-02T03:04:05'], 'timestamp'],
    [['2024-01-01 03:04'], 'timestamp'],
    [['2024-01-01T03:04:05.123456'], 'timestamp'],
    [['2024-01-01T03:04:05Z', '2024-01-02'], 'timestamptz'],
    [['2024-01-01T03:04:05+02:00'], 'timestamptz'],
    [['2024-02-30'], 'string'],
    [['{"a":1}', '[1,2]'], 'json'],
    [['{"a":1'], 'string'],
    [['{"a":1}', '12'], 'string'],
    [['007'], 'string'],
    [['+5'], 'string'],
    [[' 12'], 'string'],
    [['1', 'true'], 'string'],
    [['1', '2024-01-01'], 'string'],
    [['', '1'], 'string'],
    [['yes', 'no'], 'string'],
  ])('%j → %s', (samples, expected) => {
    expect(typeOf(samples)).toBe(expected)
  })

  it('treats only configured null tokens as NULL', () => {
    expect(inferColumnType(['', '1'])).toEqual({
      type: { kind: 'string' },
      nullable: false,
      nonNullCount: 2,
    })
    expect(inferColumnType(['', 'NA', '1', null], { nullTokens: ['', 'NA'] })).toEqual({
      type: { kind: 'int32' },
      nullable: true,
      nonNullCount: 1,
    })
    expect(inferColumnType(['na', '1'], { nullTokens: ['NA'] }).type).toEqual({ kind: 'string' })
  })

  it('falls back to a nullable string when nothing but NULL was seen', () => {
    expect(inferColumnType([])).toEqual({
      type: { kind: 'string' },
      nullable: true,
      nonNullCount: 0,
    })
    expect(inferColumnType([null, 'NA'], { nullTokens: ['NA'] })).toEqual({
      type: { kind: 'string' },
      nullable: true,
      nonNullCount: 0,
    })
  })

  it('keeps strings as strings with parseStrings: false', () => {
    expect(typeOf(['12', 'true'], { parseStrings: false })).toBe('string')
  })

  it('accepts any iterable', () => {
    function* gen(): Generator<Value> {
      yield '1'
      yield '2'
    }
    expect(typeOf([...gen()])).toBe('int32')
    expect(inferColumnType(gen()).type).toEqual({ kind: 'int32' })
  })
})

describe('inferColumnType: typed values', () => {
  it.each<[Value[], string]>([
    [[true, false], 'boolean'],
    [[1, -2], 'int32'],
    [[2 ** 31], 'float64'],
    [[1, 2.5], 'float64'],
    [[NaN], 'float64'],
    [[1n], 'int64'],
    [[1n, 2], 'int64'],
    [[2n ** 63n], 'decimal(19,0)'],
    [[10n ** 40n], 'string'],
    [[new Uint8Array(3)], 'binary'],
    [[new Uint8Array(3), '1'], 'string'],
    [[true, 1], 'string'],
    [[2n ** 60n + 1n, 0.5], 'string'],
    [[null, 1], 'int32'],
  ])('%s → %s', (samples, expected) => {
    expect(typeOf(samples)).toBe(expected)
  })
})

describe('inferColumnType: properties', () => {
  it('a typed value casts to its own inferred type unchanged', () => {
    fc.assert(
      fc.property(typedValue, (v) => {
        const { type } = inferColumnType([v], { parseStrings: false })
        const r = castValue(v, type)
        expect(r.ok).toBe(true)
        if (r.ok) expect(Object.is(r.value, v) || r.value === v || typeof v === 'object').toBe(true)
        if (r.ok && v instanceof Uint8Array) expect(r.value).toEqual(v)
      }),
      { numRuns: 1000 },
    )
  })

  it('raw text casts to its inferred type, and the result is a fixpoint through text', () => {
    fc.assert(
      fc.property(rawText, (s) => {
        const { type } = inferColumnType([s])
        const first = castValue(s, type)
        expect(first.ok, `${s} → ${formatColumnType(type)}`).toBe(true)
        if (!first.ok) return
        const text = castValue(first.value, { kind: 'string' })
        expect(text.ok).toBe(true)
        if (!text.ok) return
        const again = castValue(text.value, type)
        expect(again).toEqual(first)
      }),
      { numRuns: 2000 },
    )
  })

  it('every sample casts to the inferred column type', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(rawText, typedValue), { maxLength: 8 }), (samples) => {
        const { type } = inferColumnType(samples)
        for (const s of samples) expect(castValue(s, type).ok).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })

  it('does not depend on the order of the samples', () => {
    const samplesAndPermutation = fc
      .array(fc.oneof(rawText, typedValue), { maxLength: 8 })
      .chain((a) =>
        fc
          .shuffledSubarray(a, { minLength: a.length, maxLength: a.length })
          .map((p) => [a, p] as const),
      )
    fc.assert(
      fc.property(samplesAndPermutation, ([a, p]) => {
        expect(inferColumnType(p)).toEqual(inferColumnType(a))
      }),
      { numRuns: 1000 },
    )
  })

  it('int64 values beyond 2^53 survive inference and cast exactly', () => {
    const big = fc.oneof(
      fc.bigInt({ min: 2n ** 53n + 1n, max: 2n ** 63n - 1n }),
      fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 53n) - 1n }),
    )
    fc.assert(
      fc.property(fc.array(big, { minLength: 1, maxLength: 5 }), (ns) => {
        for (const samples of [ns.map(String), ns]) {
          const { type } = inferColumnType(samples)
          expect(type).toEqual({ kind: 'int64' })
          samples.forEach((s, i) => {
            expect(castValue(s, type)).toEqual({ ok: true, value: ns[i] })
          })
        }
      }),
    )
  })
})
