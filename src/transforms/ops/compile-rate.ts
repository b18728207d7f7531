import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { asList } from './as-list.js'
import { columnList } from './column-list.js'
import { counterIncrease } from './counter-increase.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { prepareSeries } from './prepare-series.js'
import { requireNewNames } from './require-new-names.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/**
 * `rate: { columns, time, by }` adds `<column>_rate` (float64): the counter's increase since the
 * previous sample of its series (resets count from 0) divided by the seconds between the two
 * samples; NULL for the first sample and when both have the same time.
 */
export function compileRate(scope: OpScope, options: OpOptions<'rate'>): OpOutput {
  const cols = asList(options.columns)
  const series = prepareSeries(scope, options, cols)
  const names = cols.map((c) => `${c}_rate`)
  const columns = [...scope.columns, ...names]
  requireNewNames(scope, columns)
  const exprs = cols.map((c, j) => {
    const { increase, seconds } = counterIncrease(series, c)
    return `(${increase}) / nullif(${seconds}, 0) AS ${quoteIdentifier(names[j]!)}`
  })
  const from = scope.stage(
    `SELECT ${columnList(scope.columns)}, ${exprs.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${series.from}`,
  )
  return { from, columns }
}
