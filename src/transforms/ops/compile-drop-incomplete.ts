import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { requireColumns } from './require-columns.js'

/**
 * `drop_incomplete: { min_share: 0.8, columns }` keeps a row when its non-null share among the
 * columns (default all) is at least min_share. The share becomes a whole count here (the least k
 * with k/n ≥ min_share), so the SQL compares integers and 4 of 5 meets 0.8 exactly.
 */
export function compileDropIncomplete(
  scope: OpScope,
  options: OpOptions<'drop_incomplete'>,
): OpOutput {
  const columns = options.columns ?? scope.columns
  requireColumns(scope, columns)
  const n = columns.length
  let need = n
  for (let k = 0; k <= n; k++) {
    if (k / n >= options.min_share) {
      need = k
      break
    }
  }
  const present = columns.map((c) => `(${quoteIdentifier(c)} IS NOT NULL)::INTEGER`).join(' + ')
  const from = scope.stage(`SELECT * FROM ${scope.from} WHERE ${present} >= ${need}`)
  return { from, columns: [...scope.columns] }
}
