import type { DuckDBAppender } from '@duckdb/node-api'
import type { TableSchema, Value } from '../column-type.js'
import { castValue } from '../types/cast-value.js'

type Append = (a: DuckDBAppender, v: Value) => void

function appenderFor(kind: string): Append {
  switch (kind) {
    case 'boolean':
      return (a, v) => a.appendBoolean(Boolean(v))
    case 'int32':
      return (a, v) => a.appendInteger(Number(v))
    case 'int64':
      return (a, v) =>
        a.appendBigInt(typeof v === 'bigint' ? v : BigInt(typeof v === 'string' ? v : Number(v)))
    case 'float64':
      return (a, v) => a.appendDouble(Number(v))
    case 'binary':
      return (a, v) =>
        a.appendBlob(v instanceof Uint8Array ? v : new TextEncoder().encode(String(v)))
    case 'timestamptz':
      // the appender drops a UTC offset from text: normalise to '…Z' first
      return (a, v) => {
        const c = castValue(v, { kind: 'timestamptz' })
        a.appendVarchar(c.ok && typeof c.value === 'string' ? c.value : String(v))
      }
    default:
      // string, decimal, date, timestamp, json: text that DuckDB casts to the column type.
      return (a, v) => a.appendVarchar(typeof v === 'string' ? v : String(v))
  }
}

/**
 * Appends rows (in our value conventions) to a DuckDB appender whose table has the columns of
 * `schema` in order, with the types of `duckdbTypeName`.
 */
export function appendRows(
  appender: DuckDBAppender,
  schema: TableSchema,
  rows: readonly (readonly Value[])[],
): void {
  const fns = schema.columns.map((c) => appenderFor(c.type.kind))
  const width = fns.length
  for (const row of rows) {
    for (let i = 0; i < width; i++) {
      const v = row[i] ?? null
      if (v === null) appender.appendNull()
      else fns[i]!(appender, v)
    }
    appender.endRow()
  }
}
