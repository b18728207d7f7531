import type { InfluxdbDestinationSpec } from '../../core/spec/influxdb-io-schema.js'
import { TemporalInstant } from '../../data/types/temporal-instant.js'
import type { Value } from '../../data/column-type.js'

export type InfluxPrecision = NonNullable<InfluxdbDestinationSpec['precision']>

const FRACTION_DIGITS: Record<InfluxPrecision, number> = { ns: 9, us: 6, ms: 3, s: 0 }
const ZEROS = '000000000'
/** What may follow `YYYY-MM-DDTHH:MM:SS` on the fast path. */
const FRACTION_TAIL = /^.{19}(?:\.\d{1,9})?Z?$/
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?)?(Z)?$/

/**
 * Point times in line protocol: whole units of `precision` since the epoch, as digits. Keeps the
 * last second it parsed, so consecutive rows of the same second cost one string slice.
 */
export class InfluxTimeEncoder {
  private readonly digits: number
  private lastPrefix = ''
  private lastSeconds = 0
  private lastSecondsText = ''

  constructor(readonly precision: InfluxPrecision) {
    this.digits = FRACTION_DIGITS[precision]
  }

  /** The epoch digits of a time value, or undefined for a value that is not a time. */
  encode(v: Value): string | undefined {
    if (typeof v === 'string') return this.fromText(v)
    if (typeof v === 'bigint') return v.toString()
    if (typeof v === 'number' && Number.isInteger(v)) return String(v)
    return undefined
  }

  private fromText(text: string): string | undefined {
    // fast path: `YYYY-MM-DDTHH:MM:SS[.f…]Z?` of the column-type conventions, after 1970
    const len = text.length
    const prefix = len >= 19 ? text.slice(0, 19) : text
    if (prefix !== this.lastPrefix) {
      const m = ISO.exec(text)
      if (!m) return this.slow(text)
      const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}Z`)
      if (Number.isNaN(ms)) return undefined
      this.lastPrefix = prefix
      this.lastSeconds = ms / 1000
      this.lastSecondsText = this.lastSeconds > 0 ? String(this.lastSeconds) : ''
    } else if (len > 19 && !FRACTION_TAIL.test(text)) return this.slow(text)
    const seconds = this.lastSeconds
    if (this.digits === 0) return String(seconds)
    let f = ''
    if (len > 20 && text.charCodeAt(19) === 46 /* . */)
      f = text.slice(20, text.charCodeAt(len - 1) === 90 /* Z */ ? len - 1 : len)
    const d = this.digits
    const frac =
      f.length === d ? f : f.length > d ? f.slice(0, d) : f + ZEROS.slice(0, d - f.length)
    if (seconds > 0) return this.lastSecondsText + frac
    if (seconds === 0) return BigInt(frac).toString()
    // before 1970: seconds * 10^digits + fraction (the fraction counts forwards)
    return (BigInt(seconds) * 10n ** BigInt(d) + BigInt(frac)).toString()
  }

  /** Other ISO forms (zones other than Z, etc.). */
  private slow(text: string): string | undefined {
    const t = TemporalInstant.parse(text)
    if (typeof t === 'string') return undefined
    const micros = t.micros
    switch (this.precision) {
      case 'ns':
        return (micros * 1000n).toString()
      case 'us':
        return micros.toString()
      case 'ms':
        return (micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n)).toString()
      case 's':
        return (
          micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n)
        ).toString()
    }
  }
}

/**
 * An RFC 3339 time as InfluxDB returns it (`2026-01-02T03:04:05.123456789Z`) as a timestamptz
 * value (`…05.123456Z`, microseconds: finer digits are cut).
 */
export function influxTimeToTimestamptz(text: string): string | undefined {
  const t = TemporalInstant.parse(text.replace(/(\.\d{6})\d+/, '$1'))
  return typeof t === 'string' ? undefined : t.formatTimestamptz()
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/

/** Nanoseconds since the epoch of an RFC 3339 time (for ordering watermarks), or undefined. */
export function rfc3339ToNanos(text: string): bigint | undefined {
  const m = RFC3339.exec(text)
  if (!m) return undefined
  const ms = Date.parse(`${m[1]}${m[3]}`)
  if (Number.isNaN(ms)) return undefined
  const frac = (m[2] ?? '').padEnd(9, '0')
  return BigInt(ms) * 1_000_000n + BigInt(frac)
}
