import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { requireNewNames } from './require-new-names.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/**
 * `derive: { total: "price * qty" }`: one stage per entry, so a later entry can use an earlier one.
 * An existing column is replaced in place; a new one is appended. The expressions are DuckDB SQL
 * inserted as written: pipeline authors are trusted, as with a `sql` task.
 */
export function compileDerive(scope: OpScope, options: OpOptions<'derive'>): OpOutput {
  let from = scope.from
  let columns = [...scope.columns]
  for (const [name, expression] of Object.entries(options)) {
    requireNewNames(scope, [name])
    const exists = columns.includes(name)
    const list = columns.map((c) =>
      c === name ? `(${expression}\n) AS ${quoteIdentifier(c)}` : quoteIdentifier(c),
    )
    if (!exists) list.push(`(${expression}\n) AS ${quoteIdentifier(name)}`)
    from = scope.stage(`SELECT ${list.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${from}`)
    if (!exists) columns = [...columns, name]
  }
  return { from, columns }
}
