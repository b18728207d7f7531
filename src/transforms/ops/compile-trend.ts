import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { asList } from './as-list.js'
import { columnList } from './column-list.js'
import { durationLabel } from './duration-label.js'
import { durationMicros } from './duration-micros.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { prepareSeries, TIME_US } from './prepare-series.js'
import { requireNewNames } from './require-new-names.js'
import { RESERVED_PREFIX, ROW_NUMBER_COLUMN } from './row-number-column.js'

/**
 * `trend: { columns, window, per, time, by }` adds `<column>_trend_<window>` (or
 * `<column>_trend` without a window: the whole series), float64: the least-squares slope
 * (regr_sxy / regr_sxx) of the values against time, in value units per `per` (default 1s), over the rows
 * of the series with time in (t − window, t]. NULL with fewer than two distinct times; rows with a
 * NULL value are left out of the fit; a row with a NULL time gets NULL.
 */
export function compileTrend(scope: OpScope, options: OpOptions<'trend'>): OpOutput {
  const cols = asList(options.columns)
  const series = prepareSeries(scope, options, cols)
  const per = options.per === undefined ? 1_000_000 : durationMicros(scope, options.per, 'per')
  const window =
    options.window === undefined ? undefined : durationMicros(scope, options.window, 'window')
  const suffix = window === undefined ? '' : `_${durationLabel(options.window!, window)}`
  const names = cols.map((c) => `${c}_trend${suffix}`)
  const columns = [...scope.columns, ...names]
  requireNewNames(scope, columns)
  // x relative to the series' first time keeps the sums small (float64 precision).
  const x = quoteIdentifier(`${RESERVED_PREFIX}x`)
  const offset = scope.stage(
    `SELECT *, CAST(${TIME_US} - min(${TIME_US}) OVER (${series.partition}) AS DOUBLE) / ${per} AS ${x} FROM ${series.from}`,
  )
  const over =
    window === undefined
      ? `OVER (${series.partition})`
      : `OVER (${series.partition} ORDER BY ${TIME_US} RANGE BETWEEN ${window - 1} PRECEDING AND CURRENT ROW)`
  const exprs = cols.map((c, j) => {
    const args = `CAST(${quoteIdentifier(c)} AS DOUBLE), ${x}`
    // regr_slope is NaN when all x are equal; sxy / sxx is NULL then
    return `CASE WHEN ${TIME_US} IS NOT NULL THEN regr_sxy(${args}) ${over} / nullif(regr_sxx(${args}) ${over}, 0) END AS ${quoteIdentifier(names[j]!)}`
  })
  const from = scope.stage(
    `SELECT ${columnList(scope.columns)}, ${exprs.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${offset}`,
  )
  return { from, columns }
}
