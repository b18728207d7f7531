import { createRequire } from 'node:module'
import type * as DuckDBApi from '@duckdb/node-api'
import type { DuckDBAppender, DuckDBType, DuckDBValue } from '@duckdb/node-api'
import type * as Bindings from '@duckdb/node-bindings'
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

let bindings: typeof Bindings | undefined
/** The native bindings under `@duckdb/node-api` (loaded already, as an appender exists). */
function native(): typeof Bindings {
  if (bindings === undefined) {
    const req = createRequire(import.meta.url)
    bindings = createRequire(req.resolve('@duckdb/node-api'))(
      '@duckdb/node-bindings',
    ) as typeof Bindings
  }
  return bindings
}

type Vector = Bindings.Vector

// Scratch memory for one vector, reused (appends are synchronous): a fresh ArrayBuffer per vector
// is external memory that V8 counts, and its growth alone triggers full GCs.
const BITS = new Uint8Array(CHUNK_ROWS / 8)
const ENTRIES = new Uint8Array(CHUNK_ROWS * 16)
const LENGTHS = new Uint32Array(ENTRIES.buffer)
const scratch = new Map<unknown, unknown>()

/** Validity bits of `n` rows, all valid; `clear(bits, i)` marks row i NULL. */
const validityOf = (n: number): Uint8Array => BITS.fill(0xff, 0, Math.ceil(n / 64) * 8)
const clear = (bits: Uint8Array, i: number): void => {
  bits[i >> 3]! &= ~(1 << (i & 7))
}

function copyValidity(b: typeof Bindings, vector: Vector, n: number): void {
  b.vector_ensure_validity_writable(vector)
  b.copy_data_to_vector_validity(vector, 0, BITS.buffer, 0, Math.ceil(n / 64) * 8)
}

/**
 * Fills one vector of `n` rows from `values[lo…lo+n)`. Fixed-width types are written into a typed
 * array and copied at once; text as `duckdb_string_t` entries, short ASCII inline in that copy
 * (no call per value), the rest with one native call each.
 */
type Fill = (
  b: typeof Bindings,
  vector: Vector,
  values: readonly Value[] | undefined,
  lo: number,
  n: number,
) => void

function fixedFill<T extends number | bigint>(
  View: (new (n: number) => { [i: number]: T; buffer: ArrayBufferLike }) & {
    BYTES_PER_ELEMENT: number
  },
  put: (v: Value) => T,
): Fill {
  return (b, vector, values, lo, n) => {
    let items = scratch.get(View) as InstanceType<typeof View> | undefined
    if (items === undefined) scratch.set(View, (items = new View(CHUNK_ROWS)))
    let bits: Uint8Array | undefined
    for (let i = 0; i < n; i++) {
      const v = values?.[lo + i] ?? null
      if (v === null) clear((bits ??= validityOf(n)), i)
      else items[i] = put(v)
    }
    b.copy_data_to_vector(vector, 0, items.buffer as ArrayBuffer, 0, n * View.BYTES_PER_ELEMENT)
    if (bits) copyValidity(b, vector, n)
  }
}

function textFill(toText: (v: Value) => string, plain: boolean): Fill {
  return (b, vector, values, lo, n) => {
    const entries = ENTRIES.fill(0, 0, n * 16)
    const lengths = LENGTHS
    let bits: Uint8Array | undefined
    let later: number[] | undefined
    let texts: string[] | undefined
    for (let i = 0; i < n; i++) {
      const v = values?.[lo + i] ?? null
      if (v === null) {
        clear((bits ??= validityOf(n)), i)
        continue
      }
      const s = plain && typeof v === 'string' ? v : toText(v)
      const len = s.length
      let high = 0
      if (len <= 12) {
        const o = i * 16 + 4
        for (let j = 0; j < len; j++) {
          const c = s.charCodeAt(j)
          high |= c
          entries[o + j] = c
        }
      }
      if (len > 12 || high >= 0x80) {
        entries.fill(0, i * 16, i * 16 + 16)
        ;(texts ??= [])[i] = s
        ;(later ??= []).push(i)
      } else lengths[i * 4] = len
    }
    b.copy_data_to_vector(vector, 0, entries.buffer, 0, n * 16)
    if (later) for (const i of later) b.vector_assign_string_element(vector, i, texts![i]!)
    if (bits) copyValidity(b, vector, n)
  }
}

const int64 = (v: Value): bigint => {
  const n = typeof v === 'bigint' ? v : BigInt(typeof v === 'string' ? v : Number(v))
  if (BigInt.asIntN(64, n) !== n) throw new Error('bigint out of int64 range')
  return n
}

/** The fast fill of a column of `type`, where there is one (its chunk vector type is `duckType`). */
function fastFill(type: ColumnType, convert: Convert): Fill | undefined {
  switch (type.kind) {
    case 'boolean':
      return fixedFill(Uint8Array, (v) => ((typeof v === 'boolean' ? v : Boolean(v)) ? 1 : 0))
    case 'int32':
      return fixedFill(Int32Array, (v) => (typeof v === 'number' ? v : Number(v)))
    case 'int64':
      return fixedFill(BigInt64Array, int64)
    case 'float64':
      return fixedFill(Float64Array, (v) => (typeof v === 'number' ? v : Number(v)))
    case 'binary':
      return undefined
    default:
      return textFill(convert as (v: Value) => string, type.kind === 'string')
  }
}

/**
 * Appends `rowCount` rows given column by column (`vectors[c][r]`, our value conventions; a
 * missing value is NULL) to an appender whose table has the columns of `types` in order, in data
 * chunks of 2048 rows (much cheaper than one appender call per value). Chunk vectors are typed
 * BOOLEAN/INTEGER/BIGINT/DOUBLE/BLOB for those kinds and VARCHAR for the rest (decimal, date,
 * timestamp, json, string), which the appender casts to the table's column type exactly. The
 * vectors are written straight into DuckDB's memory (fastFill) but for BLOB.
 */
export function appendColumns(
  appender: DuckDBAppender,
  types: readonly ColumnType[],
  vectors: readonly (readonly Value[])[],
  rowCount: number,
): void {
  if (rowCount === 0) return
  const d = duckdb()
  const b = native()
  const writers = types.map((t) => columnWriter(t, d))
  const fills = types.map((t, c) => fastFill(t, writers[c]![1]))
  const chunkTypes = writers.map((w) => w[0])
  const width = writers.length
  for (let lo = 0; lo < rowCount; lo += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rowCount - lo)
    const chunk = d.DuckDBDataChunk.create(chunkTypes, n)
    for (let c = 0; c < width; c++) {
      const values = vectors[c]
      const fill = fills[c]
      if (fill !== undefined) {
        fill(b, b.data_chunk_get_vector(chunk.chunk, c), values, lo, n)
        continue
      }
      const convert = writers[c]![1]
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
