import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { asList } from './as-list.js'
import { columnList } from './column-list.js'
import { counterIncrease } from './counter-increase.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { prepareSeries } from './prepare-series.js'
import { requireNewNames } from './require-new-names.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/**
 * `increase: { columns, time, by }` adds `<column>_increase` (float64): the counter's increase
 * since the previous sample of its series, a reset counting from 0 (10, 20, 5, 15 → NULL, 10, 5,
 * 10).
 */
export function compileIncrease(scope: OpScope, options: OpOptions<'increase'>): OpOutput {
  const cols = asList(options.columns)
  const series = prepareSeries(scope, options, cols)
  const names = cols.map((c) => `${c}_increase`)
  const columns = [...scope.columns, ...names]
  requireNewNames(scope, columns)
  const exprs = cols.map(
    (c, j) => `${counterIncrease(series, c).increase} AS ${quoteIdentifier(names[j]!)}`,
  )
  const from = scope.stage(
    `SELECT ${columnList(scope.columns)}, ${exprs.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${series.from}`,
  )
  return { from, columns }
}
