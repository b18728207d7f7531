import type { ColumnType } from '../column-type.js'

/** The DuckDB SQL type that stores a logical type losslessly. */
export function duckdbTypeName(type: ColumnType): string {
  switch (type.kind) {
    case 'boolean':
      return 'BOOLEAN'
    case 'int32':
      return 'INTEGER'
    case 'int64':
      return 'BIGINT'
    case 'float64':
      return 'DOUBLE'
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`
    case 'string':
      return 'VARCHAR'
    case 'date':
      return 'DATE'
    case 'timestamp':
      return 'TIMESTAMP'
    case 'timestamptz':
      return 'TIMESTAMPTZ'
    case 'json':
      return 'JSON'
    case 'binary':
      return 'BLOB'
  }
}
