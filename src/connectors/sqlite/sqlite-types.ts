import type { ColumnType, Value } from '../../data/column-type.js'

/**
 * Maps SQLite declared types to sluice's logical types and back. The DDL names are chosen for
 * their affinity: decimals (`DECIMAL TEXT(p,s)`) and JSON (`JSON TEXT`) get TEXT affinity, so
 * '12.340' and '123' stay text; int32 is `INT`, int64 `BIGINT` (both INTEGER affinity).
 */
export const sqliteTypes = {
  fromDeclared(declared: string | null | undefined): ColumnType {
    const d = (declared ?? '').toUpperCase().trim()
    if (d === '') return { kind: 'string' }
    if (d.includes('BOOL')) return { kind: 'boolean' }
    const ps = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(d)
    if (/^(DECIMAL|NUMERIC|DEC)\b/.test(d))
      return {
        kind: 'decimal',
        precision: ps ? Number(ps[1]) : 38,
        scale: ps ? Number(ps[2] ?? 0) : 9,
      }
    if (d.includes('JSON')) return { kind: 'json' }
    if (d.includes('TIMESTAMPTZ') || d.includes('WITH TIME ZONE')) return { kind: 'timestamptz' }
    if (d.includes('DATETIME') || d.includes('TIMESTAMP')) return { kind: 'timestamp' }
    if (/^DATE\b/.test(d)) return { kind: 'date' }
    if (d.includes('INT')) {
      return /^(INT|INT2|INT4|TINYINT|SMALLINT|MEDIUMINT)\b/.test(d) && !d.includes('BIG')
        ? { kind: 'int32' }
        : { kind: 'int64' }
    }
    if (d.includes('CHAR') || d.includes('CLOB') || d.includes('TEXT')) return { kind: 'string' }
    if (d.includes('BLOB')) return { kind: 'binary' }
    if (d.includes('REAL') || d.includes('FLOA') || d.includes('DOUB')) return { kind: 'float64' }
    return { kind: 'string' }
  },

  /** A logical type for a column without a declared type, from a sample of its values. */
  fromValues(values: readonly unknown[]): ColumnType {
    let kind: 'int64' | 'float64' | 'binary' | 'string' | undefined
    for (const v of values) {
      if (v === null || v === undefined) continue
      const k: 'int64' | 'float64' | 'binary' | 'string' =
        typeof v === 'bigint'
          ? 'int64'
          : typeof v === 'number'
            ? 'float64'
            : v instanceof Uint8Array
              ? 'binary'
              : 'string'
      if (kind === undefined) kind = k
      else if (kind !== k) {
        if ((kind === 'int64' && k === 'float64') || (kind === 'float64' && k === 'int64'))
          kind = 'float64'
        else return { kind: 'string' }
      }
    }
    return { kind: kind ?? 'string' }
  },

  toNative(t: ColumnType): string {
    switch (t.kind) {
      case 'boolean':
        return 'BOOLEAN'
      case 'int32':
        return 'INT'
      case 'int64':
        return 'BIGINT'
      case 'float64':
        return 'DOUBLE'
      case 'decimal':
        return `DECIMAL TEXT(${Math.trunc(t.precision)},${Math.trunc(t.scale)})`
      case 'string':
        return 'TEXT'
      case 'date':
        return 'DATE'
      case 'timestamp':
        return 'DATETIME'
      case 'timestamptz':
        return 'TIMESTAMPTZ'
      case 'json':
        return 'JSON TEXT'
      case 'binary':
        return 'BLOB'
    }
  },

  /** A sluice value as better-sqlite3 binds it. */
  bind(v: Value | undefined): null | number | bigint | string | Buffer {
    if (v === null || v === undefined) return null
    if (typeof v === 'boolean') return v ? 1 : 0
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
    return v
  },
}
