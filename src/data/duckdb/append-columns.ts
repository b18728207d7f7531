import { createRequire } from 'node:module'
import type * as DuckDBApi from '@duckdb/node-api'
import type { DuckDBAppender, DuckDBType, DuckDBValue } from '@duckdb/node-api'
import type { ColumnType, Value } from '../column-type.js'
import { castValue } from '../types/cast-value.js'

type Convert = (v: Value) => DuckDBValue

/** The module is loaded already (an appender exists): `require` returns it without the import cost. */
let api: typeof DuckDBApi | undefined
const duckdb = (): typeof DuckDBApi =>
  (api ??= createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDBApi)

const text = (v: Value): string => (typeof v === 'string' ? v : String(v))

/** The chunk vector type and value conversion of a column: the vector is cast to the table type. */
function columnWriter(type: ColumnType, d: typeof DuckDBApi): [DuckDBType, Convert] {
  switch (type.kind) {
    case 'boolean':
      return [d.BOOLEAN, (v) => (typeof v === 'boolean' ? v : Boolean(v))]
    case 'int32':
      return [d.INTEGER, (v) => (typeof v === 'number' ? v : Number(v))]
    case 'int64':
      return [
        d.BIGINT,
        (v) => (typeof v === 'bigint' ? v : BigInt(typeof v === 'string' ? v : Number(v))),
      ]
    case 'float64':
      return [d.DOUBLE, (v) => (typeof v === 'number' ? v : Number(v))]
    case 'binary':
      return [
        d.BLOB,
        (v) =>
          new d.DuckDBBlobValue(v instanceof Uint8Array ? v : new TextEncoder().encode(text(v))),
      ]
    case 'timestamptz':
      // VARCHAR → TIMESTAMPTZ drops nothing only when the offset is explicit: normalise to '…Z'
      return [
        d.VARCHAR,
        (v) => {
          const c = castValue(v, type)
          return c.ok && typeof c.value === 'string' ? c.value : text(v)
        },
      ]
    default:
      // string, decimal, date, timestamp, json: text that DuckDB casts to the column type
      return [d.VARCHAR, text]
  }
}

/** Rows per data chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048

/**
 * Appends `rowCount` rows given column by column (`vectors[c][r]`, our value conventions; a
 * missing value is NULL) to an appender whose table has the columns of `types` in order, in data
 * chunks of 2048 rows (much cheaper than one appender call per value). Chunk vectors are typed
 * BOOLEAN/INTEGER/BIGINT/DOUBLE/BLOB for those kinds and VARCHAR for the rest (decimal, date,
 * timestamp, json, string), which the appender casts to the table's column type exactly.
 */
export function appendColumns(
  appender: DuckDBAppender,
  types: readonly ColumnType[],
  vectors: readonly (readonly Value[])[],
  rowCount: number,
): void {
  if (rowCount === 0) return
  const d = duckdb()
  const writers = types.map((t) => columnWriter(t, d))
  const chunkTypes = writers.map((w) => w[0])
  const width = writers.length
  for (let lo = 0; lo < rowCount; lo += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rowCount - lo)
    const chunk = d.DuckDBDataChunk.create(chunkTypes, n)
    for (let c = 0; c < width; c++) {
      const convert = writers[c]![1]
      const values = vectors[c]
      const vector = chunk.getColumnVector(c)
      for (let i = 0; i < n; i++) {
        const v = values?.[lo + i] ?? null
        vector.setItem(i, v === null ? null : convert(v))
      }
      vector.flush()
    }
    appender.appendDataChunk(chunk)
  }
}
