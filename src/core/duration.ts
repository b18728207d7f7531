const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

const SIMPLE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/
const ISO =
  /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

/**
 * Parses `500ms | 30s | 5m | 2h | 1d`, compound forms like `1h30m`, ISO-8601 (`PT2H`), or a bare
 * number of seconds. Returns milliseconds, or undefined when the text is not a duration.
 */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number')
    return Number.isFinite(input) && input >= 0 ? input * 1000 : undefined
  const text = input.trim()
  if (text === '') return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
  const iso = ISO.exec(text)
  if (iso && text !== 'P' && text !== 'PT' && !text.endsWith('T')) {
    const [, d, h, m, s] = iso
    return (
      Number(d ?? 0) * UNITS.d! +
      Number(h ?? 0) * UNITS.h! +
      Number(m ?? 0) * UNITS.m! +
      Number(s ?? 0) * UNITS.s!
    )
  }
  // compound: 1h30m, 2m30s
  const parts = text.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d)/g)
  if (!parts || parts.join('') !== text) return undefined
  let total = 0
  for (const p of parts) {
    const m = SIMPLE.exec(p)
    if (!m) return undefined
    total += Number(m[1]) * UNITS[m[2]!]!
  }
  return total
}

/** 1500 → "1.5s", 90000 → "1m30s"; rounding carries into the next unit. */
export function formatDuration(ms: number): string {
  const whole = Math.round(ms)
  if (whole < 1000) return `${whole}ms`
  const secs = ms / 1000
  const short = +secs.toFixed(secs < 10 ? 2 : 1)
  if (short < 60) return `${short}s`
  const total = Math.round(secs)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return [h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean).join('') || '0s'
}
