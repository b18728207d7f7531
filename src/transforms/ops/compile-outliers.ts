import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { columnList } from './column-list.js'
import { fitColumns, type FitSpec } from './fit-columns.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { requireColumns } from './require-columns.js'
import { requireNewNames } from './require-new-names.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

function iqrSpec(k: number): FitSpec {
  return {
    base: (x) => ({ q1: `quantile_cont(${x}, 0.25)`, q3: `quantile_cont(${x}, 0.75)` }),
    derived: (r) => ({
      iqr: `${r('q3')} - ${r('q1')}`,
      lower: `${r('q1')} - ${k} * (${r('q3')} - ${r('q1')})`,
      upper: `${r('q3')} + ${k} * (${r('q3')} - ${r('q1')})`,
    }),
  }
}

function zscoreSpec(t: number): FitSpec {
  return {
    base: (x) => ({ mean: `avg(${x})`, std: `stddev_pop(${x})` }),
    derived: (r) => ({
      lower: `${r('mean')} - ${t} * ${r('std')}`,
      upper: `${r('mean')} + ${t} * ${r('std')}`,
    }),
  }
}

/**
 * `outliers: { columns, method, k, threshold, action, by }`. iqr (default): bounds
 * q1 − k·iqr and q3 + k·iqr (quantile_cont, k default 1.5); zscore: mean ± threshold·std with the
 * population std (ddof 0, as scipy.stats.zscore; threshold default 3), so a single row or a
 * constant group has no outliers. A value is an outlier when strictly outside the bounds of its
 * group (`by`); NULLs never are and stay NULL. flag (default) appends boolean `<column>_outlier`
 * columns; drop removes rows with any outlier; clip clamps to the bounds (the column becomes
 * float64). The bounds per group come back as a `fitted` query.
 */
export function compileOutliers(scope: OpScope, options: OpOptions<'outliers'>): OpOutput {
  const method = options.method ?? 'iqr'
  const action = options.action ?? 'flag'
  const by = options.by ?? []
  requireColumns(scope, [...options.columns, ...by])
  requireNewNames(scope, options.columns)
  const spec = method === 'iqr' ? iqrSpec(options.k ?? 1.5) : zscoreSpec(options.threshold ?? 3)
  const settings: Record<string, number> =
    method === 'iqr' ? { k: options.k ?? 1.5 } : { threshold: options.threshold ?? 3 }
  const fit = fitColumns(scope, options.columns, by, method, spec, settings)
  const lower = (j: number) => fit.stat(j, 'lower')
  const upper = (j: number) => fit.stat(j, 'upper')
  const outlier = (j: number) => {
    const c = quoteIdentifier(options.columns[j]!)
    return `coalesce(${c} < ${lower(j)} OR ${c} > ${upper(j)}, false)`
  }
  const visible = columnList(scope.columns)
  let sql: string
  let columns = [...scope.columns]
  if (action === 'drop') {
    const any = options.columns.map((_, j) => outlier(j)).join(' OR ')
    sql = `SELECT ${visible}, ${ROW_NUMBER_COLUMN} FROM ${fit.from} WHERE NOT (${any})`
  } else if (action === 'flag') {
    const flags = options.columns.map((c) => `${c}_outlier`)
    columns = [...columns, ...flags]
    requireNewNames(scope, columns)
    const list = options.columns.map((_, j) => `${outlier(j)} AS ${quoteIdentifier(flags[j]!)}`)
    sql = `SELECT ${visible}, ${list.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${fit.from}`
  } else {
    const index = new Map(options.columns.map((c, j) => [c, j]))
    const list = scope.columns.map((c) => {
      const j = index.get(c)
      const q = quoteIdentifier(c)
      if (j === undefined) return q
      return `CASE WHEN ${q} < ${lower(j)} THEN ${lower(j)} WHEN ${q} > ${upper(j)} THEN ${upper(j)} ELSE CAST(${q} AS DOUBLE) END AS ${q}`
    })
    sql = `SELECT ${list.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${fit.from}`
  }
  return { from: scope.stage(sql), columns, fitted: fit.fitted }
}
