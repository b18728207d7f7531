import type { DuckDBType } from '@duckdb/node-api'
import type { ColumnType } from '../column-type.js'

// DuckDBTypeId values, inlined so that this module does not load DuckDB.
const ID = {
  BOOLEAN: 1,
  TINYINT: 2,
  SMALLINT: 3,
  INTEGER: 4,
  BIGINT: 5,
  UTINYINT: 6,
  USMALLINT: 7,
  UINTEGER: 8,
  UBIGINT: 9,
  FLOAT: 10,
  DOUBLE: 11,
  TIMESTAMP: 12,
  DATE: 13,
  HUGEINT: 16,
  VARCHAR: 17,
  BLOB: 18,
  DECIMAL: 19,
  TIMESTAMP_S: 20,
  TIMESTAMP_MS: 21,
  TIMESTAMP_NS: 22,
  LIST: 24,
  STRUCT: 25,
  MAP: 26,
  UNION: 28,
  TIMESTAMP_TZ: 31,
  UHUGEINT: 32,
  ARRAY: 33,
  BIGNUM: 35,
  VARIANT: 41,
} as const

/**
 * Maps a DuckDB column type to our logical type. Integers that do not fit int64 become
 * decimal(38,0) (a string); nested types become json; everything else without a logical
 * counterpart (TIME, INTERVAL, UUID, ENUM, BIT, …) becomes string.
 */
export function duckdbColumnType(type: DuckDBType): ColumnType {
  switch (type.typeId as number) {
    case ID.BOOLEAN:
      return { kind: 'boolean' }
    case ID.TINYINT:
    case ID.SMALLINT:
    case ID.INTEGER:
    case ID.UTINYINT:
    case ID.USMALLINT:
      return { kind: 'int32' }
    case ID.BIGINT:
    case ID.UINTEGER:
      return { kind: 'int64' }
    case ID.UBIGINT:
    case ID.HUGEINT:
    case ID.UHUGEINT:
    case ID.BIGNUM:
      return { kind: 'decimal', precision: 38, scale: 0 }
    case ID.FLOAT:
    case ID.DOUBLE:
      return { kind: 'float64' }
    case ID.DECIMAL: {
      const t = type as unknown as { width: number; scale: number }
      return { kind: 'decimal', precision: t.width, scale: t.scale }
    }
    case ID.DATE:
      return { kind: 'date' }
    case ID.TIMESTAMP:
    case ID.TIMESTAMP_S:
    case ID.TIMESTAMP_MS:
    case ID.TIMESTAMP_NS:
      return { kind: 'timestamp' }
    case ID.TIMESTAMP_TZ:
      return { kind: 'timestamptz' }
    case ID.BLOB:
      return { kind: 'binary' }
    case ID.VARCHAR:
      return type.alias?.toUpperCase() === 'JSON' ? { kind: 'json' } : { kind: 'string' }
    case ID.LIST:
    case ID.STRUCT:
    case ID.MAP:
    case ID.ARRAY:
    case ID.UNION:
    case ID.VARIANT:
      return { kind: 'json' }
    default:
      return { kind: 'string' }
  }
}
