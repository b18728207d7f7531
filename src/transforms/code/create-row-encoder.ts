import type { Value } from '../../data/column-type.js'

/** Turns row objects returned by a transform function into value arrays over a growing column list. */
export interface RowEncoder {
  /** Output column names in order of first appearance (only grows; JS lists integer-like keys first). */
  readonly columns: readonly string[]
  /**
   * Appends the arrays of `rows` to `out`. All or nothing: when one row is not an object of
   * sluice values it throws a TypeError and leaves `out` and `columns` as they were.
   */
  encodeAll(rows: readonly unknown[], out: Value[][]): void
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

/**
 * A RowEncoder. Values follow column-type.ts: `undefined` becomes NULL, a valid Date its ISO
 * text (timestamptz); objects, arrays and functions are refused (return JSON as text).
 */
export function createRowEncoder(): RowEncoder {
  const columns: string[] = []
  const index = new Map<string, number>()
  const nulls: Value[] = []

  function encode(row: unknown): Value[] {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new TypeError(`a row must be an object of column values, got ${describe(row)}`)
    }
    // a copy of a packed array stays packed (new Array(n) would be holey, and structured clone
    // copies holey arrays element by element through the slow path)
    const out = nulls.slice()
    let fresh: [string, Value][] | undefined
    let position = 0
    // Rows usually list the columns in the same order: compare by position before the map lookup.
    // (for-in also sees inherited enumerable properties; plain row objects have none.)
    for (const key in row) {
      const v = toValue((row as Record<string, unknown>)[key], key)
      const j = columns[position] === key ? position : index.get(key)
      if (j === undefined) (fresh ??= []).push([key, v])
      else {
        out[j] = v
        position = j + 1
      }
    }
    if (fresh) {
      for (const [key, v] of fresh) {
        index.set(key, columns.length)
        columns.push(key)
        nulls.push(null)
        out.push(v)
      }
    }
    return out
  }

  return {
    columns,
    encodeAll(rows, out) {
      const savedColumns = columns.length
      const savedRows = out.length
      try {
        for (const row of rows) out.push(encode(row))
      } catch (e) {
        for (const key of columns.splice(savedColumns)) index.delete(key)
        nulls.length = savedColumns
        out.length = savedRows
        throw e
      }
    },
  }
}
