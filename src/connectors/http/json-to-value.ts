import type { ColumnType, Value } from '../../data/column-type.js'

const TS = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i
const DATE = /^\d{4}-\d{2}-\d{2}$/

/** Thrown for a value that does not fit its column; the source names the record. */
export class ValueMismatch extends Error {}

function fail(v: unknown, type: ColumnType): never {
  const text = typeof v === 'string' ? JSON.stringify(v.slice(0, 60)) : JSON.stringify(v)
  throw new ValueMismatch(`${String(text).slice(0, 80)} is not a ${type.kind}`)
}

/** "YYYY-MM-DDTHH:MM:SS[.ffffff]" in UTC (with `zone`, "…Z"), from an ISO-like text. */
function timestamp(text: string, type: ColumnType, withZone: boolean): string {
  const m = TS.exec(text.trim())
  if (!m) fail(text, type)
  const [, date, hms, frac, zone] = m
  const time = hms!.length === 5 ? `${hms}:00` : hms!
  const micros = frac ? frac.slice(0, 7).padEnd(2, '0') : ''
  let local = `${date}T${time}`
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const offMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')
    const t = Date.parse(`${local}Z`) - sign * offMin * 60_000
    if (Number.isNaN(t)) fail(text, type)
    local = new Date(t).toISOString().slice(0, 19)
  } else if (Number.isNaN(Date.parse(`${local}Z`))) fail(text, type)
  return `${local}${micros}${withZone ? 'Z' : ''}`
}

/**
 * A JSON value as the `Value` of a column (column-type.ts conventions): int64 as bigint, decimals
 * and times as text, json as JSON text (of any value), binary from base64. Numbers in text are
 * accepted for numeric columns, "true"/"false" for booleans. Throws ValueMismatch otherwise.
 */
export function jsonToValue(v: unknown, type: ColumnType): Value {
  if (v === null || v === undefined) return null
  switch (type.kind) {
    case 'json':
      return JSON.stringify(v)
    case 'string':
      if (typeof v === 'string') return v
      if (typeof v === 'number' || typeof v === 'boolean') return String(v)
      return JSON.stringify(v)
    case 'boolean':
      if (typeof v === 'boolean') return v
      if (v === 'true' || v === 'false') return v === 'true'
      if (v === 0 || v === 1) return v === 1
      return fail(v, type)
    case 'int32':
    case 'int64': {
      let n: bigint
      if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v)
      else if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) n = BigInt(v.trim())
      else return fail(v, type)
      if (type.kind === 'int64') return n
      if (n < -2147483648n || n > 2147483647n) return fail(v, type)
      return Number(n)
    }
    case 'float64': {
      if (typeof v === 'number') return v
      if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v)
      return fail(v, type)
    }
    case 'decimal': {
      const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : ''
      if (!/^-?\d+(\.\d+)?$/.test(text)) return fail(v, type)
      return text
    }
    case 'date': {
      if (typeof v !== 'string') return fail(v, type)
      const d = v.trim().slice(0, 10)
      if (!DATE.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`))) return fail(v, type)
      return d
    }
    case 'timestamp':
    case 'timestamptz':
      if (typeof v !== 'string') return fail(v, type)
      return timestamp(v, type, type.kind === 'timestamptz')
    case 'binary':
      if (typeof v !== 'string') return fail(v, type)
      return new Uint8Array(Buffer.from(v, 'base64'))
  }
}
