import type { ColumnType } from '../column-type.js'

/** The canonical text of a type: `int64`, `decimal(38,9)`. parseColumnType reads it back. */
export function formatColumnType(type: ColumnType): string {
  return type.kind === 'decimal' ? `decimal(${type.precision},${type.scale})` : type.kind
}
