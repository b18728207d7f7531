const MICROS_PER_DAY = 86_400_000_000n
const MAX_SAFE = 9_007_199_254_740_991n

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

/** Days since 1970-01-01 → `YYYY-MM-DD` (proleptic Gregorian; H. Hinnant's civil_from_days). */
function civilDate(days: number): string {
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
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  const year = y < 0 ? `-${pad(-y, 4)}` : pad(y, 4)
  return `${year}-${pad(m, 2)}-${pad(d, 2)}`
}

/**
 * Formats microseconds since the epoch in our value conventions:
 * `YYYY-MM-DDTHH:MM:SS[.ffffff]` (the fraction only when it is not zero).
 * `formatMicros.date(days)` formats days since the epoch as `YYYY-MM-DD`.
 */
export function formatMicros(micros: bigint): string {
  let days: number
  let r: number
  if (micros > -MAX_SAFE && micros < MAX_SAFE) {
    // Number arithmetic (no BigInt garbage) is exact below 2^53 µs (about ±285 years).
    const m = Number(micros)
    days = Math.floor(m / 86_400_000_000)
    r = m - days * 86_400_000_000
  } else {
    let d = micros / MICROS_PER_DAY
    let rest = micros % MICROS_PER_DAY
    if (rest < 0n) {
      rest += MICROS_PER_DAY
      d -= 1n
    }
    days = Number(d)
    r = Number(rest)
  }
  const frac = r % 1_000_000
  const secs = (r - frac) / 1_000_000
  const hh = Math.floor(secs / 3600)
  const mm = Math.floor((secs % 3600) / 60)
  const ss = secs % 60
  const time = `${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}${frac === 0 ? '' : `.${pad(frac, 6)}`}`
  return `${civilDate(days)}T${time}`
}

formatMicros.date = (days: number): string => civilDate(days)
