import { SluiceError } from '../../core/sluice-error.js'

/**
 * The watermark an incremental read commits: the largest (column, keys…) read, as text (the
 * same shape as the other SQL connectors, so a watermark survives JSON and any destination).
 */
export interface SqlWatermark {
  readonly value: string
  readonly key?: readonly string[]
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:([ T])(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?(Z)?$/
const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** Reading a committed watermark back, and moving a time watermark back by a lookback. */
export const sqlWatermark = {
  parse(since: unknown): SqlWatermark | undefined {
    if (since === undefined || since === null) return undefined
    if (typeof since === 'string' || typeof since === 'number' || typeof since === 'bigint')
      return { value: String(since) }
    if (typeof since === 'object' && 'value' in since) {
      const s = since as { value: unknown; key?: unknown }
      const key = Array.isArray(s.key) ? s.key.map(String) : undefined
      return { value: String(s.value), ...(key ? { key } : {}) }
    }
    throw new SluiceError('E_SCHEMA_VALUE', `unusable watermark ${JSON.stringify(since)}`)
  },

  /** `text` (a date or timestamp) minus `ms`, in the same layout; undefined if not a time. */
  minus(text: string, ms: number): string | undefined {
    const m = TIME.exec(text.trim())
    if (!m) return undefined
    const [, y, mo, d, sep, h, mi, s, frac, z] = m
    const micros = Number((frac ?? '').padEnd(6, '0').slice(0, 6))
    const base = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h ?? 0),
      Number(mi ?? 0),
      Number(s ?? 0),
    )
    let totalMicros = base * 1000 + micros - Math.round(ms * 1000)
    if (sep === undefined) {
      // a date: whole days back, rounding down
      const day = 86_400_000_000
      totalMicros = Math.floor(totalMicros / day) * day
      const t = new Date(totalMicros / 1000)
      return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`
    }
    const msPart = Math.floor(totalMicros / 1000)
    const rest = totalMicros - msPart * 1000
    const t = new Date(msPart)
    const fraction = `${pad(t.getUTCMilliseconds(), 3)}${pad(rest, 3)}`.replace(/0+$/, '')
    return (
      `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}${sep}` +
      `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}` +
      `${fraction ? `.${fraction}` : ''}${z ?? ''}`
    )
  },
}
