import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { columnList } from './column-list.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { requireColumns } from './require-columns.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/**
 * `sort: [ts, "-amount"]`: a leading `-` sorts descending; NULLs sort last both ways; ties keep
 * their previous order (stable). It renumbers the rows, so later ops and the output follow it.
 */
export function compileSort(scope: OpScope, options: OpOptions<'sort'>): OpOutput {
  const items = typeof options === 'string' ? [options] : options
  const keys = items.map((item) =>
    item.startsWith('-') ? { column: item.slice(1), dir: 'DESC' } : { column: item, dir: 'ASC' },
  )
  requireColumns(
    scope,
    keys.map((k) => k.column),
  )
  const order = keys.map((k) => `${quoteIdentifier(k.column)} ${k.dir} NULLS LAST`)
  order.push(ROW_NUMBER_COLUMN)
  const from = scope.stage(
    `SELECT ${columnList(scope.columns)}, row_number() OVER (ORDER BY ${order.join(', ')}) AS ${ROW_NUMBER_COLUMN} FROM ${scope.from}`,
  )
  return { from, columns: [...scope.columns] }
}
