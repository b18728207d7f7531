import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { columnList } from './column-list.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { requireColumns } from './require-columns.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/** The seed when none is given: a sample is reproducible by default. */
export const DEFAULT_SAMPLE_SEED = 42

/**
 * `sample:` keeps a deterministic subset, in its previous order, per stratum of `stratify_by`
 * when given:
 * - `{ n, seed }`: the n rows with the smallest hash(row number, seed);
 * - `{ fraction, seed }`: likewise round(fraction × rows) rows (halves up), per stratum;
 * - `{ every, order_by }`: rows 1, every+1, … in order_by order (NULLs last, ties in input order).
 * The row number is fixed when the input is read, so the sample depends only on the input, its
 * order and the seed, never on DuckDB's threads.
 */
export function compileSample(scope: OpScope, options: OpOptions<'sample'>): OpOutput {
  const strata =
    options.stratify_by === undefined
      ? []
      : typeof options.stratify_by === 'string'
        ? [options.stratify_by]
        : options.stratify_by
  const orderBy = 'every' in options ? options.order_by : undefined
  requireColumns(scope, [...strata, ...(orderBy === undefined ? [] : [orderBy])])
  const partition = strata.length === 0 ? '' : `PARTITION BY ${columnList(strata)} `
  let keep: string
  if ('every' in options) {
    const order = [
      ...(orderBy === undefined ? [] : [`${quoteIdentifier(orderBy)} ASC NULLS LAST`]),
      ROW_NUMBER_COLUMN,
    ].join(', ')
    keep = `(row_number() OVER (${partition}ORDER BY ${order}) - 1) % ${options.every} = 0`
  } else {
    const seed = options.seed ?? DEFAULT_SAMPLE_SEED
    const rank = `row_number() OVER (${partition}ORDER BY hash(${ROW_NUMBER_COLUMN}, ${seed}::BIGINT), ${ROW_NUMBER_COLUMN})`
    keep =
      'n' in options
        ? `${rank} <= ${options.n}`
        : `${rank} <= round(${String(options.fraction)} * count(*) OVER (${partition}))`
  }
  const from = scope.stage(`SELECT * FROM ${scope.from} QUALIFY ${keep}`)
  return { from, columns: [...scope.columns] }
}
