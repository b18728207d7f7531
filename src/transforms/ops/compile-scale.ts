import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { fitColumns, type FitSpec } from './fit-columns.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { requireColumns } from './require-columns.js'
import { requireNewNames } from './require-new-names.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/** A spread of 0 (constant column) or NULL divides by 1, so the result is 0, not NaN or NULL. */
const divisor = (spread: string) => `coalesce(nullif(${spread}, 0), 1)`

const SPECS: Readonly<Record<'minmax' | 'zscore' | 'robust', FitSpec>> = {
  minmax: {
    base: (x) => ({ min: `min(${x})`, max: `max(${x})` }),
    derived: (r) => ({ center: r('min'), scale: divisor(`${r('max')} - ${r('min')}`) }),
  },
  zscore: {
    base: (x) => ({ mean: `avg(${x})`, std: `stddev_pop(${x})` }),
    derived: (r) => ({ center: r('mean'), scale: divisor(r('std')) }),
  },
  robust: {
    base: (x) => ({
      median: `quantile_cont(${x}, 0.5)`,
      q1: `quantile_cont(${x}, 0.25)`,
      q3: `quantile_cont(${x}, 0.75)`,
    }),
    derived: (r) => ({ center: r('median'), scale: divisor(`${r('q3')} - ${r('q1')}`) }),
  },
}

/**
 * `scale: { columns, method, by, suffix }`: x → (x − center) / scale as float64, fitted per group
 * of `by`. minmax: center min, scale max − min; zscore: mean and population std (as scikit-learn's
 * StandardScaler); robust: median and iqr (quantile_cont). A zero spread scales by 1, so a constant
 * column becomes 0. NULLs stay NULL. Replaces the columns, or adds `<column><suffix>` at the end.
 * The fitted center/scale (and raw stats) per group come back as a `fitted` query; the inverse is
 * x = value × scale + center.
 */
export function compileScale(scope: OpScope, options: OpOptions<'scale'>): OpOutput {
  const method = options.method ?? 'minmax'
  const by = options.by ?? []
  requireColumns(scope, [...options.columns, ...by])
  requireNewNames(scope, options.columns)
  const suffix = options.suffix
  const columns =
    suffix === undefined
      ? [...scope.columns]
      : [...scope.columns, ...options.columns.map((c) => `${c}${suffix}`)]
  requireNewNames(scope, columns)
  const fit = fitColumns(scope, options.columns, by, method, SPECS[method])
  const scaled = (j: number) => {
    const c = quoteIdentifier(options.columns[j]!)
    return `(CAST(${c} AS DOUBLE) - ${fit.stat(j, 'center')}) / ${fit.stat(j, 'scale')}`
  }
  const index = new Map(options.columns.map((c, j) => [c, j]))
  const list = scope.columns.map((c) => {
    const j = index.get(c)
    return j === undefined || suffix !== undefined
      ? quoteIdentifier(c)
      : `${scaled(j)} AS ${quoteIdentifier(c)}`
  })
  if (suffix !== undefined) {
    options.columns.forEach((c, j) => list.push(`${scaled(j)} AS ${quoteIdentifier(c + suffix)}`))
  }
  const from = scope.stage(`SELECT ${list.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${fit.from}`)
  return { from, columns, fitted: fit.fitted }
}
