import { createRequire } from 'node:module'
import type * as DuckDBApi from '@duckdb/node-api'
import type { DuckDBDataChunk, DuckDBType } from '@duckdb/node-api'
import type * as Bindings from '@duckdb/node-bindings'
import type { Value } from '../column-type.js'
import { duckdbColumnType } from './duckdb-column-type.js'
import { duckdbValueConverter } from './duckdb-value-converter.js'

/** Appends the values of rows `[lo, hi)` of column `column` of `chunk` to `out` (our conventions). */
export type ColumnReader = (
  chunk: DuckDBDataChunk,
  column: number,
  lo: number,
  hi: number,
  out: Value[],
) => void

let bindings: typeof Bindings | undefined
/** The native bindings under `@duckdb/node-api` (loaded already, as a result exists). */
function native(): typeof Bindings {
  if (bindings === undefined) {
    const req = createRequire(import.meta.url)
    bindings = createRequire(req.resolve('@duckdb/node-api'))(
      '@duckdb/node-bindings',
    ) as typeof Bindings
  }
  return bindings
}

type View = new (
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
) => {
  readonly [i: number]: number | bigint
}

/** Reads a fixed-width column straight from the vector's memory: no value object per item. */
function fixed(View: View, size: number, map?: (v: number | bigint) => Value): ColumnReader {
  return (chunk, column, lo, hi, out) => {
    const b = native()
    const n = chunk.rowCount
    const vector = b.data_chunk_get_vector(chunk.chunk, column)
    const data = b.vector_get_data(vector, n * size)
    const items = new View(data.buffer, data.byteOffset, n)
    const validity = b.vector_get_validity(vector, Math.ceil(n / 64) * 8)
    for (let r = lo; r < hi; r++) {
      if (validity && ((validity[r >> 3]! >> (r & 7)) & 1) === 0) out.push(null)
      else out.push(map ? map(items[r]!) : (items[r] as Value))
    }
  }
}

const decoder = new TextDecoder()

/** Text of `len` ≤ 12 bytes at `o` when they are all ASCII; undefined otherwise. */
function ascii(bytes: Uint8Array, o: number, len: number): string | undefined {
  let high = 0
  for (let j = 0; j < len; j++) high |= bytes[o + j]!
  if (high >= 0x80) return undefined
  const f = String.fromCharCode
  const b = bytes
  switch (len) {
    case 0:
      return ''
    case 1:
      return f(b[o + 0]!)
    case 2:
      return f(b[o + 0]!, b[o + 1]!)
    case 3:
      return f(b[o + 0]!, b[o + 1]!, b[o + 2]!)
    case 4:
      return f(b[o + 0]!, b[o + 1]!, b[o + 2]!, b[o + 3]!)
    case 5:
      return f(b[o + 0]!, b[o + 1]!, b[o + 2]!, b[o + 3]!, b[o + 4]!)
    case 6:
      return f(b[o + 0]!, b[o + 1]!, b[o + 2]!, b[o + 3]!, b[o + 4]!, b[o + 5]!)
    case 7:
      return f(b[o + 0]!, b[o + 1]!, b[o + 2]!, b[o + 3]!, b[o + 4]!, b[o + 5]!, b[o + 6]!)
    case 8:
      return f(
        b[o + 0]!,
        b[o + 1]!,
        b[o + 2]!,
        b[o + 3]!,
        b[o + 4]!,
        b[o + 5]!,
        b[o + 6]!,
        b[o + 7]!,
      )
    case 9:
      return f(
        b[o + 0]!,
        b[o + 1]!,
        b[o + 2]!,
        b[o + 3]!,
        b[o + 4]!,
        b[o + 5]!,
        b[o + 6]!,
        b[o + 7]!,
        b[o + 8]!,
      )
    case 10:
      return f(
        b[o + 0]!,
        b[o + 1]!,
        b[o + 2]!,
        b[o + 3]!,
        b[o + 4]!,
        b[o + 5]!,
        b[o + 6]!,
        b[o + 7]!,
        b[o + 8]!,
        b[o + 9]!,
      )
    case 11:
      return f(
        b[o + 0]!,
        b[o + 1]!,
        b[o + 2]!,
        b[o + 3]!,
        b[o + 4]!,
        b[o + 5]!,
        b[o + 6]!,
        b[o + 7]!,
        b[o + 8]!,
        b[o + 9]!,
        b[o + 10]!,
      )
    case 12:
      return f(
        b[o + 0]!,
        b[o + 1]!,
        b[o + 2]!,
        b[o + 3]!,
        b[o + 4]!,
        b[o + 5]!,
        b[o + 6]!,
        b[o + 7]!,
        b[o + 8]!,
        b[o + 9]!,
        b[o + 10]!,
        b[o + 11]!,
      )
    default:
      return undefined
  }
}

/**
 * VARCHAR: `duckdb_string_t` entries of 16 bytes (length, then up to 12 bytes inline or a
 * 4-byte prefix and a pointer). Short ASCII text is made in JS; the rest is decoded as UTF-8.
 */
const varchar: ColumnReader = (chunk, column, lo, hi, out) => {
  const b = native()
  const n = chunk.rowCount
  const vector = b.data_chunk_get_vector(chunk.chunk, column)
  const data = b.vector_get_data(vector, n * 16)
  const lengths = new Uint32Array(data.buffer, data.byteOffset, n * 4)
  const validity = b.vector_get_validity(vector, Math.ceil(n / 64) * 8)
  for (let r = lo; r < hi; r++) {
    if (validity && ((validity[r >> 3]! >> (r & 7)) & 1) === 0) {
      out.push(null)
      continue
    }
    const len = lengths[r * 4]!
    const o = r * 16 + 4
    if (len <= 12) {
      out.push(ascii(data, o, len) ?? decoder.decode(data.subarray(o, o + len)))
    } else {
      out.push(
        decoder.decode(
          b.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + o + 4, len),
        ),
      )
    }
  }
}

/**
 * A reader for columns of `type` that gives the values `duckdbValueConverter` gives. Booleans,
 * integers, floats and plain VARCHAR are read straight from the vector memory (much cheaper than
 * one DuckDB value per item); other types go through the vector's items and the converter.
 */
export function duckdbColumnReader(type: DuckDBType, api: typeof DuckDBApi): ColumnReader {
  const kind = duckdbColumnType(type).kind
  switch (type.typeId as number) {
    case 1:
      return fixed(Uint8Array, 1, (v) => v !== 0)
    case 2:
      return fixed(Int8Array, 1)
    case 3:
      return fixed(Int16Array, 2)
    case 4:
      return fixed(Int32Array, 4)
    case 5:
      return fixed(BigInt64Array, 8)
    case 6:
      return fixed(Uint8Array, 1)
    case 7:
      return fixed(Uint16Array, 2)
    case 8:
      return fixed(Uint32Array, 4, (v) => BigInt(v))
    case 10:
      return fixed(Float32Array, 4)
    case 11:
      return fixed(Float64Array, 8)
    case 17:
      if (kind === 'string') return varchar
  }
  const convert = duckdbValueConverter(type, api)
  return (chunk, column, lo, hi, out) => {
    const vector = chunk.getColumnVector(column)
    for (let r = lo; r < hi; r++) out.push(convert(vector.getItem(r)))
  }
}
