import { ExactDecimal } from './exact-decimal.js'

const TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(?: ?(Z|z|UTC|[+-]\d{2}(?::?\d{2})?))?$/
const MICROS_PER_DAY = 86_400_000_000n
const UNIT_FACTOR = { seconds: 1_000_000n, milliseconds: 1_000n, microseconds: 1n } as const
/** 0001-01-01 and 9999-12-31, in days since 1970-01-01. */
const MIN_DAY = -719_162
const MAX_DAY = 2_932_896

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d]
}

const pad = (n: number | bigint, width: number): string => String(n).padStart(width, '0')

export type EpochUnit = keyof typeof UNIT_FACTOR

/**
 * A point in time as whole microseconds since 1970-01-01T00:00:00Z, within years 0001–9999. It
 * parses the common ISO forms and formats the three temporal conventions of column-type.ts.
 */
export class TemporalInstant {
  private constructor(
    readonly micros: bigint,
    /** Whether the text had a time of day / a zone (for inference). */
    readonly hasTime: boolean,
    readonly hasZone: boolean,
  ) {}

  /**
   * `YYYY-MM-DD`, optionally `T` or space + `HH:MM[:SS[.fraction]]` and a zone (`Z`, `UTC`, `±HH`,
   * `±HHMM`, `±HH:MM`). A zone-less time is UTC. Returns a reason string when the text is not a
   * valid date or time, or has non-zero digits finer than a microsecond.
   */
  static parse(text: string): TemporalInstant | string {
    const m = TEXT.exec(text)
    if (!m) return 'not an ISO date or timestamp'
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return 'no such date'
    const hasTime = m[4] !== undefined
    if (!hasTime && m[8] !== undefined) return 'a zone needs a time of day'
    const [h, mi, s] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)]
    if (h > 23 || mi > 59 || s > 59) return 'no such time of day'
    const fraction = (m[7] ?? '').padEnd(9, '0')
    if (!/^0*$/.test(fraction.slice(6))) return 'finer than microseconds'
    let offsetMinutes = 0
    const zone = m[8]
    if (zone !== undefined && !/^(?:Z|z|UTC)$/.test(zone)) {
      const digits = zone.slice(1).replace(':', '')
      const oh = Number(digits.slice(0, 2))
      const om = Number(digits.slice(2) || '0')
      if (oh > 18 || om > 59) return 'no such zone offset'
      offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om)
    }
    const micros =
      BigInt(daysFromCivil(y, mo, d)) * MICROS_PER_DAY +
      BigInt((h * 60 + mi - offsetMinutes) * 60 + s) * 1_000_000n +
      BigInt(fraction.slice(0, 6))
    return TemporalInstant.inRange(micros, hasTime, zone !== undefined)
  }

  /** From a Unix epoch number in `unit`; a fraction finer than a microsecond is refused. */
  static fromEpoch(value: number | bigint, unit: EpochUnit): TemporalInstant | string {
    const factor = UNIT_FACTOR[unit]
    const d =
      typeof value === 'bigint' ? ExactDecimal.fromBigInt(value) : ExactDecimal.fromNumber(value)
    if (d === undefined) return 'not a finite number'
    const scaled = d.coefficient * factor
    const divisor = 10n ** BigInt(d.scale)
    if (scaled % divisor !== 0n) return 'finer than microseconds'
    const magnitude = scaled / divisor
    return TemporalInstant.inRange(d.negative ? -magnitude : magnitude, true, true)
  }

  private static inRange(
    micros: bigint,
    hasTime: boolean,
    hasZone: boolean,
  ): TemporalInstant | string {
    const day = Number(floorDiv(micros, MICROS_PER_DAY))
    if (day < MIN_DAY || day > MAX_DAY) return 'outside years 0001–9999'
    return new TemporalInstant(micros, hasTime, hasZone)
  }

  isMidnight(): boolean {
    return this.micros % MICROS_PER_DAY === 0n
  }

  /** `YYYY-MM-DD` of the UTC day. */
  formatDate(): string {
    const [y, m, d] = civilFromDays(Number(floorDiv(this.micros, MICROS_PER_DAY)))
    return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`
  }

  /** `YYYY-MM-DDTHH:MM:SS[.ffffff]` in UTC; six fraction digits when there is a fraction. */
  formatTimestamp(): string {
    const inDay = this.micros - floorDiv(this.micros, MICROS_PER_DAY) * MICROS_PER_DAY
    const secs = Number(inDay / 1_000_000n)
    const frac = inDay % 1_000_000n
    const time = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`
    return `${this.formatDate()}T${time}${frac === 0n ? '' : `.${pad(frac, 6)}`}`
  }

  formatTimestamptz(): string {
    return `${this.formatTimestamp()}Z`
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q
}
