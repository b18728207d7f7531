import type { ColumnType, Value } from '../column-type.js'
import { decodeBinaryText } from './decode-binary-text.js'
import { describeValue } from './describe-value.js'
import { ExactDecimal } from './exact-decimal.js'
import { formatColumnType } from './format-column-type.js'
import { normalizeJsonText } from './normalize-json-text.js'
import { TemporalInstant, type EpochUnit } from './temporal-instant.js'

export type CastResult =
  { readonly ok: true; readonly value: Value } | { readonly ok: false; readonly reason: string }

export interface CastOptions {
  /** The unit of epoch numbers cast to date/timestamp/timestamptz. Default seconds (Unix time). */
  readonly epochUnit?: EpochUnit
}

const INT32_MIN = -(2n ** 31n)
const INT32_MAX = 2n ** 31n - 1n
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1'])
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0'])
const NON_FINITE: Readonly<Record<string, number>> = {
  nan: NaN,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
}

const ok = (value: Value): CastResult => ({ ok: true, value })

/** Why a cast failed (a class, so it cannot be mistaken for a string result). */
class Reason {
  constructor(readonly text: string) {}
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/** The exact number a value stands for, or why it is none. */
function toExact(value: Exclude<Value, null>, allowBoolean: boolean): ExactDecimal | string {
  if (typeof value === 'boolean') {
    return allowBoolean ? ExactDecimal.fromBigInt(value ? 1n : 0n) : 'a boolean is not a number'
  }
  if (typeof value === 'bigint') return ExactDecimal.fromBigInt(value)
  if (typeof value === 'number') return ExactDecimal.fromNumber(value) ?? 'not a finite number'
  if (typeof value === 'string') {
    const text = value.trim()
    if (text === '') return 'an empty string is not a number'
    return ExactDecimal.parse(text) ?? 'not a number'
  }
  return 'binary data is not a number'
}

function toInteger(value: Exclude<Value, null>, min: bigint, max: bigint): bigint | string {
  const d = toExact(value, true)
  if (typeof d === 'string') return d
  if (!d.isInteger()) return 'has a fractional part (narrowing needs an explicit rounding)'
  const n = d.toBigInt()
  if (n < min || n > max) return `out of range ${min}..${max}`
  return n
}

function toTemporal(value: Exclude<Value, null>, unit: EpochUnit): TemporalInstant | string {
  if (typeof value === 'string') return TemporalInstant.parse(value.trim())
  if (typeof value === 'number' || typeof value === 'bigint') {
    return TemporalInstant.fromEpoch(value, unit)
  }
  return `${typeof value === 'boolean' ? 'a boolean' : 'binary data'} is not a date or time`
}

function castNonNull(
  value: Exclude<Value, null>,
  to: ColumnType,
  options: CastOptions,
): Value | Reason {
  switch (to.kind) {
    case 'string':
      if (value instanceof Uint8Array) return base64(value)
      return String(value)
    case 'boolean': {
      if (typeof value === 'boolean') return value
      if (value instanceof Uint8Array) return new Reason('binary data is not a boolean')
      const word = String(value).trim().toLowerCase()
      if (TRUE_WORDS.has(word)) return true
      if (FALSE_WORDS.has(word)) return false
      return new Reason('not one of true/false, t/f, yes/no, y/n, 1/0')
    }
    case 'int32': {
      const n = toInteger(value, INT32_MIN, INT32_MAX)
      return typeof n === 'bigint' ? Number(n) : new Reason(n)
    }
    case 'int64': {
      const n = toInteger(value, INT64_MIN, INT64_MAX)
      return typeof n === 'bigint' ? n : new Reason(n)
    }
    case 'float64': {
      if (typeof value === 'number') return value
      if (typeof value === 'string') {
        const special = NON_FINITE[value.trim().toLowerCase()]
        if (special !== undefined) return special
      }
      const d = toExact(value, false)
      if (typeof d === 'string') return new Reason(d)
      return (
        d.toExactNumber() ?? new Reason('float64 cannot hold it exactly (it would lose digits)')
      )
    }
    case 'decimal': {
      const d = toExact(value, false)
      if (typeof d === 'string') return new Reason(d)
      const text = d.toFixed(to.scale)
      if (text === undefined) return new Reason(`has more than ${to.scale} decimal places`)
      if (d.integerDigits > to.precision - to.scale) {
        return new Reason(
          `needs ${d.integerDigits} integer digits, ${formatColumnType(to)} holds ${to.precision - to.scale}`,
        )
      }
      return text
    }
    case 'date':
    case 'timestamp':
    case 'timestamptz': {
      const t = toTemporal(value, options.epochUnit ?? 'seconds')
      if (typeof t === 'string') return new Reason(t)
      if (to.kind === 'timestamp') return t.formatTimestamp()
      if (to.kind === 'timestamptz') return t.formatTimestamptz()
      if (!t.isMidnight())
        return new Reason('has a time of day (cast to timestamp, or truncate it explicitly)')
      return t.formatDate()
    }
    case 'json': {
      if (value instanceof Uint8Array) return new Reason('binary data is not JSON')
      if (typeof value === 'number' && !Number.isFinite(value))
        return new Reason('JSON has no NaN or Infinity')
      if (typeof value !== 'string') return String(value)
      const json = normalizeJsonText(value)
      return json.ok ? json.text : new Reason(json.reason)
    }
    case 'binary':
      if (value instanceof Uint8Array) return value
      if (typeof value !== 'string') return new Reason(`a ${typeof value} is not binary data`)
      return decodeBinaryText(value.trim()) ?? new Reason('neither base64 nor \\x/0x-prefixed hex')
  }
}

/**
 * Converts one value to the JS convention of `to` (see column-type.ts), never throwing.
 *
 * - NULL stays NULL (nullability is the schema's business, not the cast's).
 * - Numbers are exact: strings (trimmed; `12`, `-1.50`, `1e3`) and bigints go through an exact
 *   decimal; int32 and int64 check their range; a fraction never becomes an integer; decimal(p,s)
 *   pads to the scale and refuses extra fraction digits or integer digits beyond p−s; float64
 *   refuses values no double holds exactly (an int64 beyond 2^53). Booleans cast to 1/0 integers.
 * - Booleans from true/false, t/f, yes/no, y/n, 1/0 (any case).
 * - date/timestamp/timestamptz from ISO text (see TemporalInstant) and from epoch numbers in
 *   `options.epochUnit` (default seconds); zones are converted to UTC; microseconds are kept;
 *   a date refuses a time of day other than midnight UTC.
 * - json from JSON text (validated, compacted, numbers kept digit for digit) or from a number,
 *   bigint or boolean; a plain string that is not JSON text is refused.
 * - binary from a Uint8Array, base64 text, or `\x`/`0x` hex text.
 * - string from anything: numbers in their shortest round-trip form, binary as base64.
 */
export function castValue(value: Value, to: ColumnType, options: CastOptions = {}): CastResult {
  if (value === null) return ok(null)
  const result = castNonNull(value, to, options)
  if (result instanceof Reason) {
    return {
      ok: false,
      reason: `cannot cast ${describeValue(value)} to ${formatColumnType(to)}: ${result.text}`,
    }
  }
  return ok(result)
}
