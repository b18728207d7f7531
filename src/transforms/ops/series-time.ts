import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'
import type { OpScope } from './op-scope.js'

/** DuckDB types a time-series op accepts as its time column (typeof names). */
const TIME_TYPES = [
  'TIMESTAMP',
  'TIMESTAMP WITH TIME ZONE',
  'DATE',
  'TIMESTAMP_S',
  'TIMESTAMP_MS',
  'TIMESTAMP_NS',
]

/**
 * The time column as a TIMESTAMP (a timestamptz in UTC, the engine's time zone; a date at
 * midnight). The column types are only known to DuckDB, so any other type fails the query with
 * `ops[i] op: column "x" is VARCHAR, not a timestamp …` and a hint (the typeof test is per row, so
 * empty input passes).
 */
export function seriesTime(scope: Pick<OpScope, 'index' | 'name'>, column: string): string {
  const q = quoteIdentifier(column)
  const message = quoteLiteral(`ops[${scope.index}] ${scope.name}: column "${column}" is `)
  const rest = quoteLiteral(
    `, not a timestamp (hint: cast it first: \`- cast: { ${column}: timestamp }\`)`,
  )
  const types = TIME_TYPES.map(quoteLiteral).join(', ')
  return `CASE WHEN typeof(${q}) IN (${types}) THEN TRY_CAST(${q} AS TIMESTAMP) ELSE error(${message} || typeof(${q}) || ${rest}) END`
}
