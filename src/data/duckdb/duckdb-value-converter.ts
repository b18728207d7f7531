import type * as DuckDBApi from '@duckdb/node-api'
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api'
import type { Value } from '../column-type.js'
import { duckdbColumnType } from './duckdb-column-type.js'
import { formatMicros } from './format-micros.js'

type Api = typeof DuckDBApi
type Convert = (v: DuckDBValue) => Value

const TIMESTAMP_S = 20
const TIMESTAMP_MS = 21
const TIMESTAMP_NS = 22

function finite(v: object): boolean {
  return (v as { isFinite?: boolean }).isFinite !== false
}

function micros(v: DuckDBValue, typeId: number): bigint {
  const o = v as unknown as { micros?: bigint; seconds?: bigint; millis?: bigint; nanos?: bigint }
  if (typeId === TIMESTAMP_S) return (o.seconds ?? 0n) * 1_000_000n
  if (typeId === TIMESTAMP_MS) return (o.millis ?? 0n) * 1000n
  if (typeId === TIMESTAMP_NS) {
    const n = o.nanos ?? 0n
    const q = n / 1000n
    return n < 0n && q * 1000n !== n ? q - 1n : q
  }
  return o.micros ?? 0n
}

/**
 * Returns a function that turns a DuckDB value of `type` into our JS value conventions
 * (see `column-type.ts`): int64 → bigint, decimal → exact string, dates and timestamps → ISO
 * text (timestamptz in UTC with `Z`), nested types → JSON text, blob → Uint8Array.
 */
export function duckdbValueConverter(type: DuckDBType, api: Api): Convert {
  const kind = duckdbColumnType(type).kind
  const typeId = type.typeId as number
  switch (kind) {
    case 'boolean':
      return (v) => (v === null ? null : Boolean(v))
    case 'int32':
    case 'float64':
      return (v) => (v === null ? null : Number(v))
    case 'int64':
      return (v) => (v === null ? null : typeof v === 'bigint' ? v : BigInt(v as number))
    case 'decimal':
      return (v) => (v === null ? null : String(v))
    case 'string':
      return (v) => (v === null ? null : typeof v === 'string' ? v : String(v))
    case 'date':
      return (v) => {
        if (v === null) return null
        const d = v as DuckDBApi.DuckDBDateValue
        return finite(d) ? formatMicros.date(d.days) : String(d)
      }
    case 'timestamp':
      return (v) =>
        v === null ? null : finite(v as object) ? formatMicros(micros(v, typeId)) : String(v)
    case 'timestamptz':
      return (v) =>
        v === null ? null : finite(v as object) ? `${formatMicros(micros(v, typeId))}Z` : String(v)
    case 'binary':
      return (v) => {
        if (v === null) return null
        const b = (v as DuckDBApi.DuckDBBlobValue).bytes
        // A plain Uint8Array view (not a Buffer), as our value conventions say.
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
      }
    case 'json':
      if (typeId === 17) return (v) => (v === null ? null : String(v))
      return (v) => {
        if (v === null) return null
        const j = api.JsonDuckDBValueConverter(v, type, api.JsonDuckDBValueConverter)
        return JSON.stringify(j)
      }
  }
}
