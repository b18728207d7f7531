import { TIME_FEATURES } from '../../core/spec/transform-op-schema.js'
import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { columnList } from './column-list.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { DEFAULT_TIME_COLUMN } from './prepare-series.js'
import { requireColumns } from './require-columns.js'
import { requireNewNames } from './require-new-names.js'
import { RESERVED_PREFIX, ROW_NUMBER_COLUMN } from './row-number-column.js'
import { seriesTime } from './series-time.js'

type Feature = (typeof TIME_FEATURES)[number]

const SQL: Readonly<Record<Feature, (ts: string) => string>> = {
  year: (ts) => `year(${ts})`,
  month: (ts) => `month(${ts})`,
  day: (ts) => `day(${ts})`,
  hour: (ts) => `hour(${ts})`,
  minute: (ts) => `minute(${ts})`,
  weekday: (ts) => `isodow(${ts})`,
  is_weekend: (ts) => `isodow(${ts}) >= 6`,
  day_of_year: (ts) => `dayofyear(${ts})`,
}

/**
 * `time_features: { time, features, prefix }` adds `<prefix><feature>` (prefix default
 * `<time>_`) per feature, in UTC: year, month, day, hour, minute (int64), weekday (ISO: 1 =
 * Monday … 7 = Sunday), is_weekend (boolean), day_of_year. NULL time gives NULLs.
 */
export function compileTimeFeatures(scope: OpScope, options: OpOptions<'time_features'>): OpOutput {
  const time = options.time ?? DEFAULT_TIME_COLUMN
  requireColumns(scope, [time])
  const features = options.features ?? TIME_FEATURES
  const prefix = options.prefix ?? `${time}_`
  const names = features.map((f) => `${prefix}${f}`)
  const columns = [...scope.columns, ...names]
  requireNewNames(scope, columns)
  const ts = quoteIdentifier(`${RESERVED_PREFIX}ts`)
  const first = scope.stage(`SELECT *, ${seriesTime(scope, time)} AS ${ts} FROM ${scope.from}`)
  const exprs = features.map((f, j) => `${SQL[f](ts)} AS ${quoteIdentifier(names[j]!)}`)
  const from = scope.stage(
    `SELECT ${columnList(scope.columns)}, ${exprs.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${first}`,
  )
  return { from, columns }
}
