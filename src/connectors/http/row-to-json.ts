import type { Column, Value } from '../../data/column-type.js'

function valueJson(v: Value, col: Column): string {
  if (v === null) return 'null'
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null'
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('base64'))
  if (col.type.kind === 'json' && typeof v === 'string') {
    try {
      JSON.parse(v)
      return v
    } catch {
      return JSON.stringify(v)
    }
  }
  return JSON.stringify(v)
}

/**
 * A row as one JSON object text, keys in column order: int64 as exact JSON numbers (no rounding),
 * json columns inline (not as strings), binary as base64, decimals and times as strings.
 */
export function rowToJson(row: readonly Value[], columns: readonly Column[]): string {
  let out = '{'
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i]!
    if (i > 0) out += ','
    out += `${JSON.stringify(col.name)}:${valueJson(row[i] ?? null, col)}`
  }
  return `${out}}`
}
