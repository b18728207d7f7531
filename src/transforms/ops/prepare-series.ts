import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { columnList } from './column-list.js'
import type { OpScope } from './op-scope.js'
import { requireColumns } from './require-columns.js'
import { RESERVED_PREFIX, ROW_NUMBER_COLUMN } from './row-number-column.js'
import { seriesTime } from './series-time.js'

/** The default time column of the time-series ops. */
export const DEFAULT_TIME_COLUMN = 'timestamp'

/** The helper column holding the time as epoch microseconds (BIGINT). */
export const TIME_US = quoteIdentifier(`${RESERVED_PREFIX}t_us`)

export interface Series {
  /** A stage with the input columns, the row number and TIME_US. */
  readonly from: string
  readonly time: string
  readonly by: readonly string[]
  /** `PARTITION BY "g"`, or empty without series keys. */
  readonly partition: string
  /** `ORDER BY` items: time (NULLs last), ties in input order. */
  readonly order: string
}

/**
 * Checks a time-series op's time, series keys and value columns exist, and adds a stage with the
 * time as epoch microseconds (`TIME_US`, from a timestamp, timestamptz or date column).
 */
export function prepareSeries(
  scope: OpScope,
  options: { readonly time?: string | undefined; readonly by?: readonly string[] | undefined },
  values: readonly string[],
): Series {
  const time = options.time ?? DEFAULT_TIME_COLUMN
  const by = options.by ?? []
  requireColumns(scope, [time, ...by, ...values])
  const from = scope.stage(
    `SELECT *, epoch_us(${seriesTime(scope, time)}) AS ${TIME_US} FROM ${scope.from}`,
  )
  return {
    from,
    time,
    by,
    partition: by.length === 0 ? '' : `PARTITION BY ${columnList(by)}`,
    order: `${TIME_US} ASC NULLS LAST, ${ROW_NUMBER_COLUMN}`,
  }
}
