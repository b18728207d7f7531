import { parseDuration } from '../duration.js'
import type { ParamType, ParamValue } from '../spec/param-schema.js'

/** Converts a value (often a command-line string) to a param type; returns an error text on mismatch. */
export function coerceParam(
  value: unknown,
  type: ParamType,
): { ok: true; value: ParamValue } | { ok: false; error: string } {
  const bad = (what: string) => ({
    ok: false as const,
    error: `${JSON.stringify(value)} is not ${what}`,
  })
  switch (type) {
    case 'string':
      return typeof value === 'object' && value !== null
        ? bad('a string')
        : { ok: true, value: String(value) }
    case 'integer': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value
      return typeof n === 'number' && Number.isSafeInteger(n)
        ? { ok: true, value: n }
        : bad('an integer')
    }
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
      return typeof n === 'number' && Number.isFinite(n) ? { ok: true, value: n } : bad('a number')
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value }
      const s = String(value).toLowerCase()
      if (['true', '1', 'yes', 'on'].includes(s)) return { ok: true, value: true }
      if (['false', '0', 'no', 'off'].includes(s)) return { ok: true, value: false }
      return bad('a boolean (true/false)')
    }
    case 'date': {
      const s = String(value)
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
      if (!m) return bad('a date (YYYY-MM-DD)')
      const d = new Date(`${s}T00:00:00Z`)
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s)
        ? { ok: true, value: s }
        : bad('a real date')
    }
    case 'timestamp': {
      const s = String(value)
      const d = new Date(s)
      const day = /^\d{4}-\d{2}-\d{2}/.exec(s)?.[0]
      const d0 = new Date(`${day ?? 'x'}T00:00:00Z`)
      const realDay =
        day !== undefined && !Number.isNaN(d0.getTime()) && d0.toISOString().startsWith(day)
      return realDay && !Number.isNaN(d.getTime())
        ? { ok: true, value: d.toISOString() }
        : bad('a timestamp (ISO-8601)')
    }
    case 'duration':
      return (typeof value === 'string' || typeof value === 'number') &&
        parseDuration(value) !== undefined
        ? { ok: true, value }
        : bad('a duration (30s, 5m, 2h, PT1H)')
    case 'list': {
      if (Array.isArray(value)) return { ok: true, value: value as ParamValue }
      if (typeof value !== 'string') return bad('a list')
      const s = value.trim()
      if (s.startsWith('[')) {
        try {
          const parsed: unknown = JSON.parse(s)
          if (Array.isArray(parsed)) return { ok: true, value: parsed as ParamValue }
        } catch {
          return bad('a JSON list')
        }
      }
      return { ok: true, value: s === '' ? [] : s.split(',').map((x) => x.trim()) }
    }
  }
}

/** The type a bare default implies. */
export function inferParamType(value: unknown): ParamType {
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  if (Array.isArray(value)) return 'list'
  return 'string'
}
