import { parseDuration } from '../../core/duration.js'

const RELATIVE = /^now\s*(?:([+-])\s*(.+))?$/i
const NUMBER = /^-?\d+(?:\.\d+)?$/
// RFC 3339 (a date alone means midnight UTC)
const RFC3339 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i

/**
 * A Prometheus time as epoch milliseconds: a number or numeric text is unix seconds, `now` and
 * `now-1h` / `now+30m` are relative to `nowMs`, anything else must be RFC 3339 (a time without a
 * zone is UTC). Returns undefined when the text is none of these.
 */
export function parsePromTime(input: string | number, nowMs: number): number | undefined {
  if (typeof input === 'number')
    return Number.isFinite(input) ? Math.round(input * 1000) : undefined
  const text = input.trim()
  if (NUMBER.test(text)) return Math.round(Number(text) * 1000)
  const rel = RELATIVE.exec(text)
  if (rel) {
    if (rel[1] === undefined) return nowMs
    const ms = parseDuration(rel[2]!.trim())
    if (ms === undefined) return undefined
    return rel[1] === '-' ? nowMs - ms : nowMs + ms
  }
  if (!RFC3339.test(text)) return undefined
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) || text.length === 10 ? text : `${text}Z`
  const ms = Date.parse(zoned.replace(' ', 'T'))
  return Number.isNaN(ms) ? undefined : ms
}
