import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { asList } from './as-list.js'
import { columnList } from './column-list.js'
import { durationLabel } from './duration-label.js'
import { durationMicros } from './duration-micros.js'
import { opError } from './op-error.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { prepareSeries, TIME_US } from './prepare-series.js'
import { requireNewNames } from './require-new-names.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/** The window aggregate of a stat over value `x`. */
function statSql(stat: string, x: string): string | undefined {
  const d = `CAST(${x} AS DOUBLE)`
  if (stat === 'mean') return `avg(${d})`
  if (stat === 'std') return `stddev_samp(${d})`
  if (stat === 'sum') return `sum(${d})`
  if (stat === 'min' || stat === 'max') return `${stat}(${x})`
  if (stat === 'count') return `count(${x})`
  const p = /^p(100|[1-9]?[0-9])$/.exec(stat)
  return p ? `quantile_cont(${d}, ${Number(p[1]) / 100})` : undefined
}

/**
 * `rolling: { columns, stats, windows, rows, time, by }` adds `<column>_<stat>_<window>` per
 * column, stat and window (in that nesting). A time window `5m` holds the rows of the series with
 * time in (t − 5m, t] (as pandas' rolling('5min'); rows with equal times are in each other's
 * windows); a row window `10` (`_10rows`) holds the row and the 9 before it (time order, ties in
 * input order). mean, std (sample), sum and pNN (quantile_cont) are float64; min and max keep the
 * type; count counts non-null values. A row with a NULL time gets NULLs.
 */
export function compileRolling(scope: OpScope, options: OpOptions<'rolling'>): OpOutput {
  const cols = asList(options.columns)
  const series = prepareSeries(scope, options, cols)
  const frames = [
    ...(options.windows ?? []).map((w) => {
      const us = durationMicros(scope, w, 'window')
      return {
        label: durationLabel(w, us),
        over: `OVER (${series.partition} ORDER BY ${TIME_US} RANGE BETWEEN ${us - 1} PRECEDING AND CURRENT ROW)`,
      }
    }),
    ...(options.rows ?? []).map((n) => ({
      label: `${n}rows`,
      over: `OVER (${series.partition} ORDER BY ${series.order} ROWS BETWEEN ${n - 1} PRECEDING AND CURRENT ROW)`,
    })),
  ]
  if (frames.length === 0) {
    throw opError(scope, 'no window', 'give windows: [5m, 1h] (durations) or rows: [10] (counts)')
  }
  const names: string[] = []
  const exprs: string[] = []
  for (const c of cols) {
    for (const stat of options.stats) {
      const agg = statSql(stat, quoteIdentifier(c))
      if (agg === undefined) {
        throw opError(
          scope,
          `unknown stat "${stat}"`,
          'use mean, std, min, max, sum, count or p0 … p100',
        )
      }
      for (const f of frames) {
        const name = `${c}_${stat}_${f.label}`
        names.push(name)
        exprs.push(
          `CASE WHEN ${TIME_US} IS NOT NULL THEN ${agg} ${f.over} END AS ${quoteIdentifier(name)}`,
        )
      }
    }
  }
  const columns = [...scope.columns, ...names]
  requireNewNames(scope, columns)
  const from = scope.stage(
    `SELECT ${columnList(scope.columns)}, ${exprs.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${series.from}`,
  )
  return { from, columns }
}
