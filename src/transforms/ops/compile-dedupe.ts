import { columnList } from './column-list.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { requireColumns } from './require-columns.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/**
 * `dedupe: { keys, keep, order_by }` keeps one row per key (NULL keys count as equal, as in
 * DISTINCT). `keep: first` takes the lowest `order_by` value, `last` the highest; rows whose
 * order_by is NULL rank after all others either way; ties, and a missing order_by, are decided by
 * input order (first = earliest row, last = latest row). `order_by` items are SQL expressions
 * inserted as written.
 */
export function compileDedupe(scope: OpScope, options: OpOptions<'dedupe'>): OpOutput {
  const keys = options.keys ?? scope.columns
  requireColumns(scope, keys)
  const dir = options.keep === 'last' ? 'DESC' : 'ASC'
  const orderBy =
    options.order_by === undefined
      ? []
      : typeof options.order_by === 'string'
        ? [options.order_by]
        : options.order_by
  const order = [...orderBy.map((e) => `(${e}\n) ${dir} NULLS LAST`), `${ROW_NUMBER_COLUMN} ${dir}`]
  const from = scope.stage(
    `SELECT * FROM ${scope.from} QUALIFY row_number() OVER (PARTITION BY ${columnList(keys)} ORDER BY ${order.join(', ')}) = 1`,
  )
  return { from, columns: [...scope.columns] }
}
