import { columnList } from './column-list.js'
import { opError } from './op-error.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { requireColumns } from './require-columns.js'
import { requireNewNames } from './require-new-names.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/** `select: [a, b]` keeps those columns in that order; `select: { exclude: [c] }` drops some. */
export function compileSelect(scope: OpScope, options: OpOptions<'select'>): OpOutput {
  let columns: string[]
  if (Array.isArray(options)) {
    requireColumns(scope, options)
    requireNewNames(scope, options)
    columns = [...options]
  } else {
    requireColumns(scope, options.exclude)
    const drop = new Set(options.exclude)
    columns = scope.columns.filter((c) => !drop.has(c))
    if (columns.length === 0) {
      throw opError(scope, 'exclude removes every column', 'keep at least one column')
    }
  }
  const from = scope.stage(`SELECT ${columnList(columns)}, ${ROW_NUMBER_COLUMN} FROM ${scope.from}`)
  return { from, columns }
}
