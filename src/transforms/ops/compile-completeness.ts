import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'
import { columnList } from './column-list.js'
import { durationMicros } from './duration-micros.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { prepareSeries, TIME_US } from './prepare-series.js'
import { requireNewNames } from './require-new-names.js'
import { RESERVED_PREFIX, ROW_NUMBER_COLUMN } from './row-number-column.js'

/** The output columns after the series keys. */
export const COMPLETENESS_COLUMNS = [
  'first_time',
  'last_time',
  'expected',
  'actual',
  'ratio',
  'freshness_seconds',
] as const

/**
 * `completeness: { step, reference, time, by }`: one row per series (in order of its first row):
 * the by columns, first_time and last_time (timestamps), expected (step buckets, aligned to the
 * Unix epoch, from the first one to the last one with a row, inclusive), actual (buckets with at
 * least one row), ratio (actual / expected), freshness_seconds (reference − last_time; reference
 * `now` by default). Rows with a NULL time do not count. Without `by`, always one row (expected
 * and actual 0 for empty input).
 */
export function compileCompleteness(scope: OpScope, options: OpOptions<'completeness'>): OpOutput {
  const series = prepareSeries(scope, options, [])
  const step = durationMicros(scope, options.step, 'step')
  const by = series.by
  const columns = [...by, ...COMPLETENESS_COLUMNS]
  requireNewNames(scope, columns)
  const reference = options.reference ?? 'now'
  const ref =
    reference === 'now'
      ? 'epoch_us(now())'
      : `epoch_us(CAST(${quoteLiteral(reference)} AS TIMESTAMPTZ))`
  const b = quoteIdentifier(`${RESERVED_PREFIX}b`)
  const bucketed = scope.stage(
    `SELECT *, ${TIME_US} - ((${TIME_US} % ${step}) + ${step}) % ${step} AS ${b} FROM ${series.from}`,
  )
  const expected = `coalesce((max(${b}) - min(${b})) // ${step} + 1, 0)`
  const actual = `count(DISTINCT ${b})`
  const list = [
    ...by.map(quoteIdentifier),
    `make_timestamp(min(${TIME_US})) AS "first_time"`,
    `make_timestamp(max(${TIME_US})) AS "last_time"`,
    `${expected} AS "expected"`,
    `${actual} AS "actual"`,
    `${actual} / nullif(${expected}, 0) AS "ratio"`,
    `(${ref} - max(${TIME_US})) / 1e6 AS "freshness_seconds"`,
  ]
  const rn =
    by.length === 0
      ? `1::BIGINT AS ${ROW_NUMBER_COLUMN}`
      : `row_number() OVER (ORDER BY min(${ROW_NUMBER_COLUMN})) AS ${ROW_NUMBER_COLUMN}`
  const group = by.length === 0 ? '' : ` GROUP BY ${columnList(by)}`
  const from = scope.stage(`SELECT ${list.join(', ')}, ${rn} FROM ${bucketed}${group}`)
  return { from, columns }
}
