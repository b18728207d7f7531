import type { FieldPacket } from 'mysql2'
import type { ColumnType } from '../../data/column-type.js'

/** A column as information_schema.COLUMNS describes it. */
export interface MysqlColumnInfo {
  readonly dataType: string
  readonly columnType: string
  readonly precision: number | null
  readonly scale: number | null
  /** MariaDB stores JSON as LONGTEXT with a json_valid() check. */
  readonly jsonCheck: boolean
}

// mysql2 field type codes (protocol)
const T = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
  VARCHAR: 15,
} as const
const UNSIGNED_FLAG = 32
const BINARY_CHARSET = 63

/**
 * Maps MySQL/MariaDB native types to sluice's logical types and back. Lossless choices:
 * BIGINT UNSIGNED is DECIMAL(20,0); TINYINT(1) is boolean; DATETIME and TIMESTAMP are
 * `timestamp` (the session runs in UTC); logical `timestamptz` is stored as DATETIME(6) in UTC.
 */
export const mysqlTypes = {
  /** From information_schema.COLUMNS. */
  fromInfo(c: MysqlColumnInfo): ColumnType {
    const dt = c.dataType.toLowerCase()
    const full = c.columnType.toLowerCase()
    const unsigned = full.includes('unsigned')
    switch (dt) {
      case 'tinyint':
        if (/^tinyint\(1\)/.test(full)) return { kind: 'boolean' }
        return { kind: 'int32' }
      case 'bool':
      case 'boolean':
        return { kind: 'boolean' }
      case 'smallint':
      case 'mediumint':
      case 'year':
        return { kind: 'int32' }
      case 'int':
      case 'integer':
        return { kind: unsigned ? 'int64' : 'int32' }
      case 'bigint':
        return unsigned ? { kind: 'decimal', precision: 20, scale: 0 } : { kind: 'int64' }
      case 'float':
      case 'double':
      case 'real':
        return { kind: 'float64' }
      case 'decimal':
      case 'numeric':
        return { kind: 'decimal', precision: c.precision ?? 10, scale: c.scale ?? 0 }
      case 'date':
        return { kind: 'date' }
      case 'datetime':
      case 'timestamp':
        return { kind: 'timestamp' }
      case 'json':
        return { kind: 'json' }
      case 'longtext':
        return { kind: c.jsonCheck ? 'json' : 'string' }
      case 'binary':
      case 'varbinary':
      case 'tinyblob':
      case 'blob':
      case 'mediumblob':
      case 'longblob':
      case 'bit':
      case 'geometry':
      case 'point':
      case 'linestring':
      case 'polygon':
        return { kind: 'binary' }
      default:
        // char, varchar, *text, enum, set, time, inet6, uuid, …
        return { kind: 'string' }
    }
  },

  /** From a result set's field metadata (for `query:` sources). */
  fromField(f: FieldPacket): ColumnType {
    const type = f.columnType ?? T.VAR_STRING
    const flags = typeof f.flags === 'number' ? f.flags : 0
    const unsigned = (flags & UNSIGNED_FLAG) !== 0
    const binary = f.characterSet === BINARY_CHARSET
    switch (type) {
      case T.TINY:
        return f.columnLength === 1 && !unsigned ? { kind: 'boolean' } : { kind: 'int32' }
      case T.SHORT:
      case T.INT24:
      case T.YEAR:
        return { kind: 'int32' }
      case T.LONG:
        return { kind: unsigned ? 'int64' : 'int32' }
      case T.LONGLONG:
        return unsigned ? { kind: 'decimal', precision: 20, scale: 0 } : { kind: 'int64' }
      case T.FLOAT:
      case T.DOUBLE:
        return { kind: 'float64' }
      case T.DECIMAL:
      case T.NEWDECIMAL: {
        const scale = f.decimals ?? 0
        const len = f.columnLength ?? 11
        const precision = Math.max(1, len - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1))
        return { kind: 'decimal', precision, scale }
      }
      case T.DATE:
      case T.NEWDATE:
        return { kind: 'date' }
      case T.DATETIME:
      case T.TIMESTAMP:
        return { kind: 'timestamp' }
      case T.JSON:
        return { kind: 'json' }
      case T.BIT:
      case T.GEOMETRY:
        return { kind: 'binary' }
      case T.TINY_BLOB:
      case T.MEDIUM_BLOB:
      case T.LONG_BLOB:
      case T.BLOB:
      case T.VAR_STRING:
      case T.STRING:
      case T.VARCHAR:
        return { kind: binary ? 'binary' : 'string' }
      default:
        return { kind: 'string' }
    }
  },

  /** The DDL type for a logical type; key columns get indexable (bounded) types. */
  toNative(t: ColumnType, isKey = false): string {
    switch (t.kind) {
      case 'boolean':
        return 'TINYINT(1)'
      case 'int32':
        return 'INT'
      case 'int64':
        return 'BIGINT'
      case 'float64':
        return 'DOUBLE'
      case 'decimal': {
        const p = Math.min(65, Math.max(1, Math.trunc(t.precision)))
        const s = Math.min(38, p, Math.max(0, Math.trunc(t.scale)))
        return `DECIMAL(${p},${s})`
      }
      case 'string':
        return isKey ? 'VARCHAR(191)' : 'LONGTEXT'
      case 'date':
        return 'DATE'
      case 'timestamp':
      case 'timestamptz':
        return 'DATETIME(6)'
      case 'json':
        return 'JSON'
      case 'binary':
        return isKey ? 'VARBINARY(255)' : 'LONGBLOB'
    }
  },
}
