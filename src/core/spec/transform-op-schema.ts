import { z } from 'zod'
import { parseDuration } from '../duration.js'
import { durationSchema } from './duration-schema.js'

/** The built-in ops a `transform` task lists under `ops:`, in the order they are documented. */
export const TRANSFORM_OP_NAMES = [
  'select',
  'rename',
  'cast',
  'filter',
  'derive',
  'dedupe',
  'aggregate',
  'join',
  'sort',
  'limit',
  'fill_null',
  'impute',
  'outliers',
  'scale',
  'drop_incomplete',
  'sample',
  'resample',
  'rate',
  'increase',
  'rolling',
  'trend',
  'lag',
  'delta',
  'time_features',
  'completeness',
] as const

export type TransformOpName = (typeof TRANSFORM_OP_NAMES)[number]

const column = z.string().min(1).describe('A column name, as written (no quoting needed).')
const columns = z.array(column).min(1)
const oneOrMore = z.union([column, columns])
const sqlExpression = z
  .string()
  .min(1)
  .describe('A DuckDB SQL expression, inserted as written (pipeline authors are trusted).')

function nonEmpty<T extends z.ZodType>(value: T) {
  return z
    .record(z.string().min(1), value)
    .refine((r) => Object.keys(r).length > 0, { message: 'needs at least one entry' })
}

const selectOp = z.strictObject({
  select: z
    .union([columns, z.strictObject({ exclude: columns.describe('Columns to drop.') })])
    .describe('Keep these columns in this order (`[a, b]`), or all but some (`{ exclude: [c] }`).'),
})

const renameOp = z.strictObject({
  rename: nonEmpty(column).describe('`{ old_name: new_name }`; the column keeps its position.'),
})

const castTypes = nonEmpty(
  z
    .string()
    .min(1)
    .describe(
      'boolean, int32, int64, float64, decimal(p,s), string, date, timestamp, timestamptz, json, binary (SQL aliases such as bigint or text work too).',
    ),
)

const castOp = z.strictObject({
  cast: z
    .union([
      z.strictObject({
        columns: castTypes.describe('`{ column: type }`.'),
        on_error: z
          .union([z.enum(['fail', 'null']), z.null()])
          .optional()
          .describe(
            'A value that does not convert: `fail` (default) fails the task; `null` (YAML null or the word) makes it NULL (TRY_CAST).',
          ),
      }),
      castTypes,
    ])
    .describe('Converts columns in place: `{ amount: "decimal(12,2)", n: int64 }`.'),
})

const filterOp = z.strictObject({
  filter: sqlExpression.describe(
    "Keeps the rows where this DuckDB SQL condition is true (inserted as written): `amount > 0 AND status <> 'x'`.",
  ),
})

const deriveOp = z.strictObject({
  derive: nonEmpty(sqlExpression).describe(
    '`{ column: "SQL expression" }`, evaluated in order (a later entry sees the earlier ones); an existing column is replaced in place, a new one is appended. Expressions are inserted as written.',
  ),
})

const dedupeOp = z.strictObject({
  dedupe: z
    .strictObject({
      keys: columns
        .optional()
        .describe('Rows with equal keys are duplicates. Default all columns.'),
      keep: z
        .enum(['first', 'last'])
        .optional()
        .describe('first (default): lowest order_by value; last: highest.'),
      order_by: z
        .union([sqlExpression, z.array(sqlExpression).min(1)])
        .optional()
        .describe(
          'SQL expression(s), ascending, deciding which duplicate is first; NULLs rank after every value; ties and a missing order_by fall back to input order.',
        ),
    })
    .describe('Keeps one row per key.'),
})

const aggregateOp = z.strictObject({
  aggregate: z
    .strictObject({
      group_by: columns
        .optional()
        .describe('Columns to group by. Without it, the whole input is one group (one row).'),
      measures: nonEmpty(
        z
          .string()
          .min(1)
          .describe(
            'count(*), count(x), count_distinct(x), sum(x), avg(x), min(x), max(x), median(x), percentile(x, 0.95), stddev(x), variance(x).',
          ),
      ).describe('`{ output_column: "function(column)" }` (not SQL: a fixed list of functions).'),
    })
    .describe('One row per group: the group_by columns, then the measures.'),
})

const joinOp = z.strictObject({
  join: z
    .strictObject({
      with: z.string().min(1).describe('The upstream task (dataset) to join with.'),
      on: z
        .union([columns, nonEmpty(column)])
        .describe(
          'Key columns with the same name on both sides (`[customer_id]`), or `{ left_column: right_column }`. Keys appear once in the output; NULL keys never match.',
        ),
      how: z
        .enum(['inner', 'left', 'right', 'full', 'anti', 'semi'])
        .optional()
        .describe('Default inner. semi/anti keep the left rows with/without a match.'),
      suffix: z
        .string()
        .min(1)
        .optional()
        .describe('Appended to right-side columns whose name is taken. Default "_right".'),
    })
    .describe('Joins another dataset.'),
})

const sortOp = z.strictObject({
  sort: oneOrMore.describe(
    'Columns to sort by; a leading `-` sorts descending (`[ts, "-amount"]`). NULLs sort last; ties keep their order.',
  ),
})

const limitOp = z.strictObject({
  limit: z.number().int().min(0).describe('Keeps the first n rows.'),
})

const fillNullOp = z.strictObject({
  fill_null: nonEmpty(z.union([z.string(), z.number(), z.boolean()])).describe(
    '`{ column: value }`: NULLs in the column become the value.',
  ),
})

const IMPUTE_METHODS = ['ffill', 'bfill', 'linear', 'mean', 'median'] as const

const imputeOp = z.strictObject({
  impute: z
    .strictObject({
      columns: columns.describe('Columns whose NULLs are filled.'),
      method: z
        .enum(IMPUTE_METHODS)
        .describe(
          'ffill: last value before; bfill: next value after; linear: interpolated by the order_by value (numeric, date or timestamp), no extrapolation; mean/median: of the group’s non-null values.',
        ),
      by: columns.optional().describe('Impute within each group of these columns.'),
      order_by: column
        .optional()
        .describe(
          'The order of rows (required for ffill, bfill, linear); NULLs sort last, ties keep input order.',
        ),
      max_gap: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe(
          'Longest run of consecutive NULLs that is filled; longer runs stay NULL entirely. Default: no limit.',
        ),
    })
    .refine((o) => o.order_by !== undefined || o.method === 'mean' || o.method === 'median', {
      message: 'order_by is required for ffill, bfill and linear',
      path: ['order_by'],
    })
    .describe('Fills NULLs.'),
})

const outliersOp = z.strictObject({
  outliers: z
    .strictObject({
      columns: columns.describe('Numeric columns to check.'),
      method: z
        .enum(['iqr', 'zscore'])
        .optional()
        .describe(
          'iqr (default): outside [q1 − k·iqr, q3 + k·iqr] (quantile_cont); zscore: |x − mean| > threshold · population std.',
        ),
      k: z.number().positive().optional().describe('For iqr. Default 1.5.'),
      threshold: z.number().positive().optional().describe('For zscore. Default 3.'),
      action: z
        .enum(['flag', 'drop', 'clip'])
        .optional()
        .describe(
          'flag (default): add boolean `<column>_outlier`; drop: remove rows with any outlier; clip: clamp to the bounds (the column becomes float64). NULLs are never outliers.',
        ),
      by: columns.optional().describe('Bounds per group of these columns.'),
    })
    .refine((o) => o.k === undefined || o.method !== 'zscore', {
      message: 'k is for method iqr; zscore uses threshold',
      path: ['k'],
    })
    .refine((o) => o.threshold === undefined || o.method === 'zscore', {
      message: 'threshold is for method zscore; iqr uses k',
      path: ['threshold'],
    })
    .describe('Finds values far from the rest.'),
})

const scaleOp = z.strictObject({
  scale: z
    .strictObject({
      columns: columns.describe('Numeric columns to scale (the result is float64).'),
      method: z
        .enum(['minmax', 'zscore', 'robust'])
        .optional()
        .describe(
          'minmax (default): (x − min)/(max − min); zscore: (x − mean)/population std; robust: (x − median)/iqr. A zero spread divides by 1, so a constant column becomes 0.',
        ),
      by: columns.optional().describe('Fit per group of these columns.'),
      suffix: z
        .string()
        .min(1)
        .optional()
        .describe('Write `<column><suffix>` as new columns instead of replacing the columns.'),
    })
    .describe('Rescales columns; the fitted parameters are reported in the task outputs.'),
})

const dropIncompleteOp = z.strictObject({
  drop_incomplete: z
    .strictObject({
      min_share: z
        .number()
        .gt(0)
        .max(1)
        .describe('Smallest share of non-null values a row keeps (0 < min_share ≤ 1).'),
      columns: columns.optional().describe('Columns counted. Default all.'),
    })
    .describe('Drops rows with too many NULLs.'),
})

const seed = z
  .number()
  .int()
  .min(0)
  .optional()
  .describe('Seed of the deterministic pseudo-random order. Default 42.')
const stratify = oneOrMore
  .optional()
  .describe('Sample within each group of these columns (n or the fraction per group).')

const sampleOp = z.strictObject({
  sample: z
    .union([
      z.strictObject({
        n: z.number().int().min(0).describe('Rows to keep.'),
        seed,
        stratify_by: stratify,
      }),
      z.strictObject({
        fraction: z
          .number()
          .min(0)
          .max(1)
          .describe('Share of rows to keep: round(fraction × rows), halves up.'),
        seed,
        stratify_by: stratify,
      }),
      z.strictObject({
        every: z.number().int().min(1).describe('Keeps rows 1, every+1, 2·every+1, …'),
        order_by: column.optional().describe('Row order. Default input order.'),
        stratify_by: stratify,
      }),
    ])
    .describe('Keeps a deterministic sample: `{ n }`, `{ fraction }` or `{ every }`.'),
})

// Time-series ops: rows of a series are ordered by `time` (NULLs last, ties in input order).

const timeOption = column
  .optional()
  .describe(
    'The time column: timestamp, timestamptz (taken in UTC) or date. Default `timestamp`; any other type fails the task.',
  )
const seriesBy = columns
  .optional()
  .describe('Series keys: the op works per group of these columns. Default one series.')
const step = durationSchema.refine((v) => (parseDuration(v) ?? 0) > 0, {
  message: 'must be more than 0',
})

/** Aggregates of `resample`. */
export const RESAMPLE_AGGREGATES = ['avg', 'sum', 'min', 'max', 'count', 'first', 'last'] as const
const resampleAggregate = z
  .enum(RESAMPLE_AGGREGATES)
  .describe(
    'avg, sum, min, max, count (non-null values), first / last (earliest / latest non-null).',
  )

const resampleOp = z.strictObject({
  resample: z
    .strictObject({
      step: step.describe('Bucket width, aligned to 1970-01-01T00:00Z (`5m`, `1h`, `1d`).'),
      columns: z
        .union([columns, nonEmpty(resampleAggregate)])
        .describe('Value columns (aggregated with `agg`), or `{ column: aggregate }`.'),
      agg: resampleAggregate.optional().describe('The aggregate of a `columns` list. Default avg.'),
      fill: z
        .enum(['none', 'null', 'ffill', 'linear'])
        .optional()
        .describe(
          'Empty buckets between the first and last of a series: none (default) leaves them out; null adds them with NULLs; ffill takes the previous value; linear interpolates by time (no extrapolation). count is 0 in an added bucket.',
        ),
      time: timeOption,
      by: seriesBy,
    })
    .refine((o) => o.agg === undefined || Array.isArray(o.columns), {
      message: 'agg is for a columns list; a mapping names the aggregate of each column',
      path: ['agg'],
    })
    .describe('One row per series and time bucket: the by columns, the bucket start, the values.'),
})

const counterOptions = (what: string) =>
  z
    .strictObject({
      columns: oneOrMore.describe('Counter columns (monotonic except for resets).'),
      time: timeOption,
      by: seriesBy,
    })
    .describe(what)

const rateOp = z.strictObject({
  rate: counterOptions(
    'Adds `<column>_rate`: the increase since the previous sample of the series per second (NULL for the first sample and for equal times).',
  ),
})

const increaseOp = z.strictObject({
  increase: counterOptions(
    'Adds `<column>_increase`: the increase since the previous sample of the series; a decrease is a counter reset, so the increase is the new value (counted from 0).',
  ),
})

const rollingOp = z.strictObject({
  rolling: z
    .strictObject({
      columns: oneOrMore.describe('Numeric columns.'),
      stats: z
        .array(
          z.string().regex(/^(mean|std|min|max|sum|count|p(100|[1-9]?[0-9]))$/, {
            message: 'one of mean, std, min, max, sum, count, p0 … p100',
          }),
        )
        .min(1)
        .describe(
          'mean, std (sample), min, max, sum, count (non-null values), pNN (interpolated percentile: p50, p95).',
        ),
      windows: z
        .array(step)
        .min(1)
        .optional()
        .describe('Time windows: a row sees the rows of its series with time in (t − window, t].'),
      rows: z
        .array(z.number().int().min(1))
        .min(1)
        .optional()
        .describe('Row windows: a row sees itself and the n − 1 rows before it in its series.'),
      time: timeOption,
      by: seriesBy,
    })
    .refine((o) => o.windows !== undefined || o.rows !== undefined, {
      message: 'give windows (durations) or rows (counts), or both',
      path: ['windows'],
    })
    .describe(
      'Adds `<column>_<stat>_<window>` per column, stat and window: `value_mean_5m`, `value_p95_1h`, `value_max_10rows`.',
    ),
})

const trendOp = z.strictObject({
  trend: z
    .strictObject({
      columns: oneOrMore.describe('Numeric columns.'),
      window: step
        .optional()
        .describe('Rows with time in (t − window, t]. Default the whole series.'),
      per: step.optional().describe('The slope is per this much time. Default 1s.'),
      time: timeOption,
      by: seriesBy,
    })
    .describe(
      'Adds `<column>_trend_<window>` (or `<column>_trend`): the least-squares slope of the values over time.',
    ),
})

const lagN = z
  .union([z.number().int().min(1), z.array(z.number().int().min(1)).min(1)])
  .optional()
  .describe('Rows back, one or a list. Default 1.')

const lagOp = z.strictObject({
  lag: z
    .strictObject({ columns: oneOrMore, n: lagN, time: timeOption, by: seriesBy })
    .describe(
      'Adds `<column>_lag_<n>`: the value n rows before in the series (NULL before the start).',
    ),
})

const deltaOp = z.strictObject({
  delta: z
    .strictObject({ columns: oneOrMore, n: lagN, time: timeOption, by: seriesBy })
    .describe('Adds `<column>_delta_<n>`: the value minus the value n rows before in the series.'),
})

/** Features of `time_features`. */
export const TIME_FEATURES = [
  'year',
  'month',
  'day',
  'hour',
  'minute',
  'weekday',
  'is_weekend',
  'day_of_year',
] as const

const timeFeaturesOp = z.strictObject({
  time_features: z
    .strictObject({
      time: timeOption,
      features: z
        .array(z.enum(TIME_FEATURES))
        .min(1)
        .optional()
        .describe(
          'Default all: year, month, day, hour, minute, weekday (1 = Monday … 7 = Sunday), is_weekend, day_of_year; in UTC.',
        ),
      prefix: z
        .string()
        .optional()
        .describe('Output names are `<prefix><feature>`. Default `<time>_`.'),
    })
    .describe('Adds calendar features of the time column.'),
})

const completenessOp = z.strictObject({
  completeness: z
    .strictObject({
      step: step.describe('The expected sampling interval.'),
      reference: z
        .string()
        .regex(
          /^(now|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?)$/,
          {
            message: 'now or an ISO timestamp such as 2024-05-01T12:00:00Z',
          },
        )
        .optional()
        .describe(
          'Freshness is measured against this time (`now`, the default, or ISO; UTC unless it has an offset).',
        ),
      time: timeOption,
      by: seriesBy,
    })
    .describe(
      'One row per series: first_time, last_time, expected, actual, ratio, freshness_seconds.',
    ),
})

/** One item of a transform task's `ops:` list: an object with exactly one op key. */
export const transformOpSchema = z
  .union([
    selectOp,
    renameOp,
    castOp,
    filterOp,
    deriveOp,
    dedupeOp,
    aggregateOp,
    joinOp,
    sortOp,
    limitOp,
    fillNullOp,
    imputeOp,
    outliersOp,
    scaleOp,
    dropIncompleteOp,
    sampleOp,
    resampleOp,
    rateOp,
    increaseOp,
    rollingOp,
    trendOp,
    lagOp,
    deltaOp,
    timeFeaturesOp,
    completenessOp,
  ])
  .describe(`A built-in op, one key per item: ${TRANSFORM_OP_NAMES.join(', ')}.`)

/** The `ops:` list: applied in order to the task's input dataset. */
export const transformOpsSchema = z
  .array(transformOpSchema)
  .describe('Declarative ops applied in order to the input dataset, compiled to one DuckDB query.')

export type TransformOp = z.infer<typeof transformOpSchema>
