import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { columnList } from './column-list.js'
import { durationMicros } from './duration-micros.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { prepareSeries, TIME_US } from './prepare-series.js'
import { requireNewNames } from './require-new-names.js'
import { RESERVED_PREFIX, ROW_NUMBER_COLUMN } from './row-number-column.js'

const helper = (name: string) => quoteIdentifier(`${RESERVED_PREFIX}${name}`)
const B = helper('b')
/** The series' first row number: series come in input order. */
const FIRST = helper('first')
const LO = helper('lo')
const HI = helper('hi')

function aggregateSql(agg: string, c: string): string {
  const q = quoteIdentifier(c)
  const order = `ORDER BY ${TIME_US}, ${ROW_NUMBER_COLUMN}`
  if (agg === 'first' || agg === 'last') {
    return `${agg}(${q} ${order}) FILTER (WHERE ${q} IS NOT NULL)`
  }
  return agg === 'count' ? `count(${q})` : `${agg}(${q})`
}

/** The fill of a NULL value in the gap-filled grid, by the bucket time. */
function fillSql(fill: 'ffill' | 'linear', q: string, partition: string): string {
  const upto = `OVER (${partition} ORDER BY ${B} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`
  const after = `OVER (${partition} ORDER BY ${B} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)`
  const pv = `last_value(${q} IGNORE NULLS) ${upto}`
  if (fill === 'ffill') return `coalesce(${q}, ${pv})`
  const at = `CASE WHEN ${q} IS NOT NULL THEN ${B} END`
  const pt = `last_value(${at} IGNORE NULLS) ${upto}`
  const nv = `first_value(${q} IGNORE NULLS) ${after}`
  const nt = `first_value(${at} IGNORE NULLS) ${after}`
  return `coalesce(${q}, ${pv} + (${nv} - ${pv}) * CAST(${B} - ${pt} AS DOUBLE) / (${nt} - ${pt}))`
}

/**
 * `resample: { step, columns, agg, fill, time, by }`: one row per series and bucket of `step`
 * (aligned to the Unix epoch, so `1d` buckets are UTC days): the by columns, the bucket start as a
 * timestamp named like the time column, then each value column aggregated (avg default; sum, min,
 * max, count of non-null values, first / last non-null by time). Rows with a NULL time are left
 * out. fill: none (default) only has buckets with rows; null, ffill and linear add the empty
 * buckets between a series' first and last (count 0 there); ffill carries the last non-null
 * value forward, linear interpolates by bucket time between non-null neighbours (never beyond).
 * Series come in order of their first row, buckets in time order.
 */
export function compileResample(scope: OpScope, options: OpOptions<'resample'>): OpOutput {
  const values: [string, string][] = Array.isArray(options.columns)
    ? options.columns.map((c) => [c, options.agg ?? 'avg'])
    : Object.entries(options.columns)
  const cols = values.map(([c]) => c)
  const series = prepareSeries(scope, options, cols)
  const step = durationMicros(scope, options.step, 'step')
  const by = series.by
  const columns = [...by, series.time, ...cols]
  requireNewNames(scope, columns)
  const keys = columnList(by)
  const withKeys = (rest: string) => (by.length === 0 ? rest : `${keys}, ${rest}`)
  const bucket = `${TIME_US} - ((${TIME_US} % ${step}) + ${step}) % ${step}`
  const aggs = values.map(([c, a]) => `${aggregateSql(a, c)} AS ${quoteIdentifier(c)}`)
  const grouped = scope.stage(
    `SELECT ${withKeys(`${bucket} AS ${B}, ${aggs.join(', ')}, min(min(${ROW_NUMBER_COLUMN})) OVER (${series.partition}) AS ${FIRST}`)} FROM ${series.from} WHERE ${TIME_US} IS NOT NULL GROUP BY ${withKeys(B)}`,
  )
  const fill = options.fill ?? 'none'
  let filled = grouped
  if (fill !== 'none') {
    const span = scope.stage(
      `SELECT ${withKeys(`min(${B}) AS ${LO}, max(${B}) AS ${HI}, min(${FIRST}) AS ${FIRST}`)} FROM ${grouped}${by.length === 0 ? '' : ` GROUP BY ${keys}`}`,
    )
    const grid = scope.stage(
      `SELECT ${withKeys(`unnest(range(${LO}, ${HI} + ${step}, ${step})) AS ${B}, ${FIRST}`)} FROM ${span}`,
    )
    const on = [...by.map(quoteIdentifier), B].map((k) => `g.${k} IS NOT DISTINCT FROM v.${k}`)
    const pick = values.map(([c, a]) => {
      const q = `v.${quoteIdentifier(c)}`
      return `${a === 'count' ? `coalesce(${q}, 0)` : q} AS ${quoteIdentifier(c)}`
    })
    const joined = scope.stage(
      `SELECT ${[...by.map((k) => `g.${quoteIdentifier(k)}`), `g.${B}`, `g.${FIRST}`, ...pick].join(', ')} FROM ${grid} g LEFT JOIN ${grouped} v ON ${on.join(' AND ')}`,
    )
    filled = joined
    if (fill === 'ffill' || fill === 'linear') {
      const partition = by.length === 0 ? '' : `PARTITION BY ${keys}`
      const list = values.map(([c]) => {
        const q = quoteIdentifier(c)
        return `${fillSql(fill, q, partition)} AS ${q}`
      })
      filled = scope.stage(
        `SELECT ${withKeys(`${B}, ${FIRST}, ${list.join(', ')}`)} FROM ${joined}`,
      )
    }
  }
  const from = scope.stage(
    `SELECT ${withKeys(`make_timestamp(${B}) AS ${quoteIdentifier(series.time)}, ${columnList(cols)}`)}, row_number() OVER (ORDER BY ${FIRST}, ${B}) AS ${ROW_NUMBER_COLUMN} FROM ${filled}`,
  )
  return { from, columns }
}
