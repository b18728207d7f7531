import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import type { Measure } from './parse-measure.js'

/**
 * The DuckDB aggregate for a parsed measure: percentile is quantile_cont (interpolated, as
 * median), stddev and variance are the sample versions, count(x) counts non-null values.
 */
export function measureSql(m: Measure): string {
  const col = m.column === '*' ? '*' : quoteIdentifier(m.column)
  switch (m.fn) {
    case 'count':
      return `count(${col})`
    case 'count_distinct':
      return `count(DISTINCT ${col})`
    case 'percentile':
      return `quantile_cont(${col}, ${String(m.arg)})`
    case 'stddev':
      return `stddev_samp(${col})`
    case 'variance':
      return `var_samp(${col})`
    default:
      return `${m.fn}(${col})`
  }
}
