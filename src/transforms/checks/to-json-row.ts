import type { TableSchema, Value } from '../../data/column-type.js'
import type { Json } from './check-result.js'

/**
 * A DuckDB row as a JSON-safe object keyed by column name: int64 (bigint) becomes a string so no
 * digit is lost, binary becomes base64, NaN and ±Infinity become strings.
 */
export function toJsonRow(schema: TableSchema, row: readonly Value[]): Record<string, Json> {
  const out: Record<string, Json> = {}
  schema.columns.forEach((c, i) => {
    out[c.name] = toJson(row[i] ?? null)
  })
  return out
}

function toJson(v: Value): Json {
  if (typeof v === 'bigint') return v.toString()
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v)
  return v
}
