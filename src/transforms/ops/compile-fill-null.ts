import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'
import { opError } from './op-error.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { requireColumns } from './require-columns.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/**
 * `fill_null: { amount: 0, status: "unknown" }`: NULLs become the value (coalesce). A string
 * converts to the column's type as a literal would (`"2024-01-01"` into a date column).
 */
export function compileFillNull(scope: OpScope, options: OpOptions<'fill_null'>): OpOutput {
  requireColumns(scope, Object.keys(options))
  const fills = new Map<string, string>()
  for (const [column, value] of Object.entries(options)) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw opError(
        scope,
        `column "${column}": ${value} is not a finite number`,
        'use a finite number',
      )
    }
    fills.set(
      column,
      typeof value === 'string'
        ? quoteLiteral(value)
        : typeof value === 'boolean'
          ? String(value).toUpperCase()
          : String(value),
    )
  }
  const list = scope.columns.map((c) => {
    const q = quoteIdentifier(c)
    const fill = fills.get(c)
    return fill === undefined ? q : `coalesce(${q}, ${fill}) AS ${q}`
  })
  const from = scope.stage(`SELECT ${list.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${scope.from}`)
  return { from, columns: [...scope.columns] }
}
