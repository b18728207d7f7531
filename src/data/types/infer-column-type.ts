import type { ColumnType, Value } from '../column-type.js'
import { castValue } from './cast-value.js'
import { normalizeJsonText } from './normalize-json-text.js'
import { TemporalInstant } from './temporal-instant.js'
import { widenType } from './widen-type.js'

export interface InferOptions {
  /** Strings that mean NULL (exact, case-sensitive match), e.g. `['', 'NA', '\\N']`. Default none. */
  readonly nullTokens?: readonly string[]
  /**
   * Read strings as raw text (CSV cells) and look inside them for numbers, booleans, dates, JSON.
   * Default true; false types every string as `string`.
   */
  readonly parseStrings?: boolean
}

export interface InferredColumnType {
  readonly type: ColumnType
  readonly nullable: boolean
  /** Samples that were not NULL; 0 means the type is only the fallback `string`. */
  readonly nonNullCount: number
}

const MAX_PRECISION = 38
const STRING: ColumnType = { kind: 'string' }
const INT32 = /^-?(?:0|[1-9]\d{0,9})$/
const INTEGER = /^-?(?:0|[1-9]\d*)$/
const DECIMAL = /^-?(0|[1-9]\d*)\.(\d+)$/
const FLOAT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?[eE][+-]?\d+$/

function integerType(digits: string, value: bigint, allowInt32: boolean): ColumnType {
  if (allowInt32 && value >= -(2n ** 31n) && value < 2n ** 31n) return { kind: 'int32' }
  if (value >= -(2n ** 63n) && value < 2n ** 63n) return { kind: 'int64' }
  if (digits.length <= MAX_PRECISION) return { kind: 'decimal', precision: digits.length, scale: 0 }
  return STRING
}

function inferText(text: string): ColumnType {
  if (/^(?:true|false)$/i.test(text)) return { kind: 'boolean' }
  if (INT32.test(text) || INTEGER.test(text))
    return integerType(text.replace('-', ''), BigInt(text), true)
  const dec = DECIMAL.exec(text)
  if (dec) {
    const int = dec[1] === '0' ? 0 : (dec[1] ?? '').length
    const scale = (dec[2] ?? '').length
    if (int + scale > MAX_PRECISION) return STRING
    return { kind: 'decimal', precision: int + scale, scale }
  }
  if (FLOAT.test(text)) return { kind: 'float64' }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = TemporalInstant.parse(text)
    if (typeof t !== 'string') {
      return { kind: t.hasZone ? 'timestamptz' : t.hasTime ? 'timestamp' : 'date' }
    }
  }
  if ((text.startsWith('{') || text.startsWith('[')) && normalizeJsonText(text).ok) {
    return { kind: 'json' }
  }
  return STRING
}

function inferValue(value: Exclude<Value, null>, parseStrings: boolean): ColumnType {
  if (typeof value === 'boolean') return { kind: 'boolean' }
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31
      ? { kind: 'int32' }
      : { kind: 'float64' }
  }
  if (typeof value === 'bigint') return integerType(value.toString().replace('-', ''), value, false)
  if (value instanceof Uint8Array) return { kind: 'binary' }
  return parseStrings ? inferText(value) : STRING
}

/**
 * The narrowest column type that holds every sample, and whether the column is nullable.
 *
 * Typed values follow column-type.ts: boolean; a number is int32 when it is an integer in range,
 * else float64; a bigint is int64 even when small (a decimal(p,0) beyond, string beyond 38 digits); Uint8Array is
 * binary. Strings are read as CSV cells (unless `parseStrings: false`): `true`/`false` (any case)
 * → boolean; integers → int32, int64, decimal(p,0) or string (beyond 38 digits); `1.50` →
 * decimal(3,2) (fraction digits as written, `0.5` has no integer digit); exponent forms → float64;
 * ISO dates → date, date-times → timestamp, with a zone → timestamptz; `{…}`/`[…]` valid JSON →
 * json; anything else → string. Text that would lose something when parsed stays string: leading
 * zeros (`007`), a `+` sign, surrounding spaces.
 *
 * Per-value types are combined with widenType; where it has no answer (boolean + int32) the
 * column is string, so the result never depends on the order of the samples. Finally every sample
 * is checked with castValue; if one does not cast exactly (a 20-digit decimal in a column widened
 * to float64), the column is string. So every sample always casts to the inferred type.
 *
 * NULL is `null` or a string listed in `nullTokens`; an empty string is a value, not NULL, unless
 * `''` is a null token. With no non-NULL sample the type is string and the column nullable.
 */
export function inferColumnType(
  samples: Iterable<Value>,
  options: InferOptions = {},
): InferredColumnType {
  const nullTokens = new Set(options.nullTokens ?? [])
  const parseStrings = options.parseStrings ?? true
  const values: Exclude<Value, null>[] = []
  let nullable = false
  let type: ColumnType | undefined
  for (const v of samples) {
    if (v === null || (typeof v === 'string' && nullTokens.has(v))) {
      nullable = true
      continue
    }
    values.push(v)
    const t = inferValue(v, parseStrings)
    type = type === undefined ? t : (widenType(type, t) ?? STRING)
  }
  if (type === undefined) return { type: STRING, nullable: true, nonNullCount: 0 }
  const candidate = type
  if (candidate.kind !== 'string' && !values.every((v) => castValue(v, candidate).ok)) {
    type = STRING
  }
  return { type, nullable, nonNullCount: values.length }
}
