import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'

/** Names starting with this prefix are reserved for the compiler's helper columns. */
export const RESERVED_PREFIX = '__sluice_'

/**
 * The quoted helper column holding each row's position. Rows are numbered once when the input is
 * read (input order); order-dependent ops break ties with it, `sort` renumbers, and the final query
 * is ordered by it, so the output order is deterministic.
 */
export const ROW_NUMBER_COLUMN = quoteIdentifier(`${RESERVED_PREFIX}rn`)
