import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { requireColumns } from './require-columns.js'
import { requireNewNames } from './require-new-names.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/** `rename: { old: new }`: renamed columns keep their position; swaps work. */
export function compileRename(scope: OpScope, options: OpOptions<'rename'>): OpOutput {
  const map = new Map(Object.entries(options))
  requireColumns(scope, [...map.keys()])
  const columns = scope.columns.map((c) => map.get(c) ?? c)
  requireNewNames(scope, columns)
  const list = scope.columns.map((c, i) =>
    c === columns[i]
      ? quoteIdentifier(c)
      : `${quoteIdentifier(c)} AS ${quoteIdentifier(columns[i]!)}`,
  )
  const from = scope.stage(`SELECT ${list.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${scope.from}`)
  return { from, columns }
}
