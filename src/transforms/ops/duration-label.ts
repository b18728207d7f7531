const UNITS: readonly [string, number][] = [
  ['d', 86_400_000_000],
  ['h', 3_600_000_000],
  ['m', 60_000_000],
  ['s', 1_000_000],
  ['ms', 1000],
  ['us', 1],
]

/**
 * A duration as a name part: as written when it is one number and unit (`5m`, `90s`), else
 * normalised from its microseconds (`PT1H30M` → `1h30m`, 60 → `1m`).
 */
export function durationLabel(written: string | number, us: number): string {
  if (typeof written === 'string' && /^\d+(ms|s|m|h|d)$/.test(written)) return written
  let rest = us
  let label = ''
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size)
    if (n > 0) label += `${n}${unit}`
    rest -= n * size
  }
  return label || '0s'
}
