import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import type { Series } from './prepare-series.js'
import { TIME_US } from './prepare-series.js'

const BEFORE = 'ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING'

/**
 * SQL for a counter's increase since the previous sample of its series (Prometheus semantics: a
 * decrease is a reset, after which the increase is the new value, counted from 0) and the
 * seconds since that sample. Samples with a NULL value or time are skipped as previous samples
 * and get NULL themselves.
 */
export function counterIncrease(
  series: Series,
  column: string,
): { increase: string; seconds: string } {
  const v = `CASE WHEN ${TIME_US} IS NOT NULL THEN CAST(${quoteIdentifier(column)} AS DOUBLE) END`
  const win = `OVER (${series.partition} ORDER BY ${series.order} ${BEFORE})`
  const prev = `last_value(${v} IGNORE NULLS) ${win}`
  const prevT = `last_value(CASE WHEN (${v}) IS NOT NULL THEN ${TIME_US} END IGNORE NULLS) ${win}`
  return {
    increase: `CASE WHEN ${prev} IS NULL OR (${v}) IS NULL THEN NULL WHEN (${v}) >= ${prev} THEN (${v}) - ${prev} ELSE ${v} END`,
    seconds: `(${TIME_US} - ${prevT}) / 1e6`,
  }
}
