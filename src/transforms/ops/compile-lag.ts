import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { asList } from './as-list.js'
import { columnList } from './column-list.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { prepareSeries } from './prepare-series.js'
import { requireNewNames } from './require-new-names.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/**
 * `lag` and `delta: { columns, n, time, by }` add, per column and n (default 1),
 * `<column>_lag_<n>` (the value n rows before in the series, rows ordered by time with NULL times
 * last and ties in input order; NULL before the start) or `<column>_delta_<n>` (the value minus
 * that one).
 */
export function compileLag(
  scope: OpScope,
  options: OpOptions<'lag'> | OpOptions<'delta'>,
  kind: 'lag' | 'delta',
): OpOutput {
  const cols = asList(options.columns)
  const ns = asList(options.n ?? 1)
  const series = prepareSeries(scope, options, cols)
  const exprs: string[] = []
  const names: string[] = []
  for (const c of cols) {
    for (const n of ns) {
      const q = quoteIdentifier(c)
      const lag = `lag(${q}, ${n}) OVER (${series.partition} ORDER BY ${series.order})`
      const name = `${c}_${kind}_${n}`
      names.push(name)
      exprs.push(`${kind === 'lag' ? lag : `${q} - ${lag}`} AS ${quoteIdentifier(name)}`)
    }
  }
  const columns = [...scope.columns, ...names]
  requireNewNames(scope, columns)
  const from = scope.stage(
    `SELECT ${columnList(scope.columns)}, ${exprs.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${series.from}`,
  )
  return { from, columns }
}
