import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'

/** `"a", "b"`: quoted, comma-separated column names. */
export function columnList(names: readonly string[]): string {
  return names.map(quoteIdentifier).join(', ')
}
