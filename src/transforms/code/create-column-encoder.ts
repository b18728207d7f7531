import type { Value } from '../../data/column-type.js'

/** Rows returned by a transform function, as column vectors over a growing column list. */
export interface ColumnEncoder {
  /** Output column names in order of first appearance (only grows; JS lists integer-like keys first). */
  readonly columns: readonly string[]
  /** Rows encoded since the last `take()`. */
  readonly rowCount: number
  /**
   * Encodes the rows of `rows`. All or nothing: when one row is not an object of sluice values
   * it throws a TypeError and leaves the encoder as it was.
   */
  encodeAll(rows: readonly unknown[]): void
  /** `encodeAll([row])`, without the array. */
  encodeOne(row: unknown): void
  /** The rows encoded so far as one vector per column (all `rowCount` long); starts afresh. */
  take(): { columns: string[]; vectors: Value[][]; rowCount: number }
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? `a ${v.constructor?.name ?? 'object'}` : `a ${typeof v}`
}

function toValue(v: unknown, key: string): Value {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return v
    case 'undefined':
      return null
    case 'object':
      if (v === null || v instanceof Uint8Array) return v
      if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString()
  }
  throw new TypeError(
    `column "${key}": ${describe(v)} is not a sluice value (use null, boolean, number, bigint, string, JSON text or Uint8Array)`,
  )
}

/** Appends the values of one row (of the key list it was compiled for) to their vectors. */
type Put = (
  row: Record<string, unknown>,
  vectors: Value[][],
  rowCount: number,
  toValue: (v: unknown, key: string) => Value,
) => void

/**
 * A Put for rows with `keys`, whose values go to `vectors[slots[i]]`. A vector shorter than
 * `rowCount` (rows that lacked the column) is padded with NULL first.
 */
function compilePut(keys: readonly string[], slots: readonly number[]): Put {
  const body = keys
    .map((key, i) => {
      const k = JSON.stringify(key)
      return `v = row[${k}]; t = typeof v;
  if (t !== 'string' && t !== 'number' && t !== 'bigint' && t !== 'boolean') v = toValue(v, ${k});
  a = vectors[${slots[i]!}]; while (a.length < rowCount) a.push(null); a.push(v);`
    })
    .join('\n  ')
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the code is built from JSON string literals and integers only
  return new Function('row', 'vectors', 'rowCount', 'toValue', `let v, t, a;\n  ${body}`) as Put
}

/**
 * A ColumnEncoder. Values follow column-type.ts: `undefined` becomes NULL, a valid Date its ISO
 * text (timestamptz); objects, arrays and functions are refused (return JSON as text). A row
 * that lacks a column has NULL there. Vectors are kept packed (filled by push, padded with
 * NULL), which structured clone copies fastest.
 */
export function createColumnEncoder(): ColumnEncoder {
  const columns: string[] = []
  const index = new Map<string, number>()
  let vectors: Value[][] = []
  let rowCount = 0

  // The key list of the previous row, and a function that appends a row of those keys.
  let lastKeys: string[] = []
  let lastPut: Put = () => {}

  function putFor(keys: string[]): Put {
    if (keys.length === lastKeys.length) {
      let same = true
      for (let i = 0; i < keys.length && same; i++) same = keys[i] === lastKeys[i]
      if (same) return lastPut
    }
    const slots = keys.map((key) => {
      let j = index.get(key)
      if (j === undefined) {
        j = columns.length
        index.set(key, j)
        columns.push(key)
        vectors.push([])
      }
      return j
    })
    lastKeys = keys
    lastPut = compilePut(keys, slots)
    return lastPut
  }

  // Appends one row; on a throw, rows before it stay and the caller rolls this one back.
  // Object.keys, not for-in: for-in over objects made by spreading (`{ ...row, x }`) takes
  // V8's slow path, ~0.5 µs per row. The values are read by a function compiled for the key list
  // (constant property names: monomorphic loads, no Object.values array).
  function encode(row: unknown): void {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new TypeError(`a row must be an object of column values, got ${describe(row)}`)
    }
    putFor(Object.keys(row))(row as Record<string, unknown>, vectors, rowCount, toValue)
    rowCount++
  }

  // Undoes everything after `savedRows` rows and `savedColumns` columns.
  function rollback(savedColumns: number, savedRows: number): void {
    if (columns.length > savedColumns) {
      for (const key of columns.splice(savedColumns)) index.delete(key)
      vectors.length = savedColumns
      lastKeys = []
      lastPut = () => {}
    }
    for (const vector of vectors) if (vector.length > savedRows) vector.length = savedRows
    rowCount = savedRows
  }

  return {
    columns,
    get rowCount() {
      return rowCount
    },
    encodeAll(rows) {
      const savedColumns = columns.length
      const savedRows = rowCount
      try {
        for (let i = 0; i < rows.length; i++) encode(rows[i])
      } catch (e) {
        rollback(savedColumns, savedRows)
        throw e
      }
    },
    encodeOne(row) {
      const savedColumns = columns.length
      try {
        encode(row)
      } catch (e) {
        rollback(savedColumns, rowCount)
        throw e
      }
    },
    take() {
      for (const vector of vectors) while (vector.length < rowCount) vector.push(null)
      const out = { columns: columns.slice(), vectors, rowCount }
      vectors = columns.map(() => [])
      rowCount = 0
      return out
    },
  }
}
