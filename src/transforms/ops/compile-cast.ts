import { isSluiceError } from '../../core/sluice-error.js'
import { duckdbTypeName } from '../../data/duckdb/duckdb-type-name.js'
import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { parseColumnType } from '../../data/types/parse-column-type.js'
import { opError } from './op-error.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { requireColumns } from './require-columns.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/**
 * `cast: { amount: "decimal(12,2)" }` converts columns in place to a sluice type (any name
 * parseColumnType accepts). With `{ columns: {...}, on_error: null }` a value that does not convert
 * becomes NULL (TRY_CAST) instead of failing the query.
 */
export function compileCast(scope: OpScope, options: OpOptions<'cast'>): OpOutput {
  const plain = !('columns' in options && typeof options.columns === 'object')
  const types = (plain ? options : options.columns) as Readonly<Record<string, string>>
  const lenient =
    !plain && 'on_error' in options && (options.on_error === null || options.on_error === 'null')
  requireColumns(scope, Object.keys(types))
  const sqlTypes = new Map<string, string>()
  for (const [column, text] of Object.entries(types)) {
    try {
      sqlTypes.set(column, duckdbTypeName(parseColumnType(text)))
    } catch (e) {
      if (!isSluiceError(e)) throw e
      throw opError(scope, `column "${column}": ${e.message}`, e.hint)
    }
  }
  const fn = lenient ? 'TRY_CAST' : 'CAST'
  const list = scope.columns.map((c) => {
    const type = sqlTypes.get(c)
    const q = quoteIdentifier(c)
    return type === undefined ? q : `${fn}(${q} AS ${type}) AS ${q}`
  })
  const from = scope.stage(`SELECT ${list.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${scope.from}`)
  return { from, columns: [...scope.columns] }
}
