import type { DuckDBAppender } from '@duckdb/node-api'
import type { TableSchema, Value } from '../column-type.js'
import { appendColumns } from './append-columns.js'

/**
 * Appends rows (in our value conventions; a short row's missing values are NULL) to a DuckDB
 * appender whose table has the columns of `schema` in order, with the types of `duckdbTypeName`.
 * The rows are turned into columns and appended in data chunks (appendColumns).
 */
export function appendRows(
  appender: DuckDBAppender,
  schema: TableSchema,
  rows: readonly (readonly Value[])[],
): void {
  const width = schema.columns.length
  const vectors: Value[][] = []
  for (let c = 0; c < width; c++) {
    const values = new Array<Value>(rows.length)
    for (let r = 0; r < rows.length; r++) values[r] = rows[r]![c] ?? null
    vectors.push(values)
  }
  appendColumns(
    appender,
    schema.columns.map((c) => c.type),
    vectors,
    rows.length,
  )
}
