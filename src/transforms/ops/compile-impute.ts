import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { columnList } from './column-list.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { opError } from './op-error.js'
import { requireColumns } from './require-columns.js'
import { requireNewNames } from './require-new-names.js'
import { RESERVED_PREFIX, ROW_NUMBER_COLUMN } from './row-number-column.js'

const helper = (name: string) => quoteIdentifier(`${RESERVED_PREFIX}${name}`)
const UPTO = 'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW'
const FROM_HERE = 'ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING'

/**
 * `impute: { columns, method, by, order_by, max_gap }` fills NULLs within each group of `by`, rows
 * ordered by `order_by` (NULLs last, ties in input order; without order_by, input order).
 * - ffill / bfill: the last value before / the next value after; leading / trailing NULLs stay.
 * - linear: between the previous and next non-null values, weighted by the order_by value (a
 *   number, or a date/timestamp as epoch seconds: time-weighted); NULL at the edges (no
 *   extrapolation); rows whose order_by is NULL are neither filled nor used. Equal order_by
 *   values on both sides take the previous value.
 * - mean / median: of the group's non-null values.
 * `max_gap`: a run of consecutive NULLs longer than this stays NULL entirely.
 * The column takes the common type of its values and the fill (float64 for integers with
 * linear/mean, as DuckDB's coalesce would).
 */
export function compileImpute(scope: OpScope, options: OpOptions<'impute'>): OpOutput {
  const { method, max_gap: maxGap } = options
  const by = options.by ?? []
  const orderBy = options.order_by
  requireColumns(scope, [...options.columns, ...by, ...(orderBy === undefined ? [] : [orderBy])])
  requireNewNames(scope, options.columns)
  if (orderBy === undefined && method !== 'mean' && method !== 'median') {
    throw opError(
      scope,
      `method ${method} needs order_by`,
      'add order_by: <time or sequence column>',
    )
  }
  const partition = by.length === 0 ? '' : `PARTITION BY ${columnList(by)}`
  const order = [
    ...(orderBy === undefined ? [] : [`${quoteIdentifier(orderBy)} ASC NULLS LAST`]),
    ROW_NUMBER_COLUMN,
  ].join(', ')
  const win = (frame: string) => `OVER (${partition} ORDER BY ${order} ${frame})`

  // Stage 1: per column, the count of non-null values so far (a NULL run shares it with the
  // value before it); for linear, the order_by value as a number.
  const extra = options.columns.map(
    (c, j) => `count(${quoteIdentifier(c)}) ${win(UPTO)} AS ${helper(`n${j}`)}`,
  )
  if (method === 'linear') {
    const o = quoteIdentifier(orderBy!)
    extra.push(
      `coalesce(TRY_CAST(${o} AS DOUBLE), epoch(TRY_CAST(${o} AS TIMESTAMPTZ))) AS ${helper('t')}`,
    )
  }
  const first = scope.stage(`SELECT *, ${extra.join(', ')} FROM ${scope.from}`)

  const t = helper('t')
  const fillOf = (c: string): string => {
    const q = quoteIdentifier(c)
    switch (method) {
      case 'ffill':
        return `last_value(${q} IGNORE NULLS) ${win(UPTO)}`
      case 'bfill':
        return `first_value(${q} IGNORE NULLS) ${win(FROM_HERE)}`
      case 'mean':
        return `avg(${q}) OVER (${partition})`
      case 'median':
        return `median(${q}) OVER (${partition})`
      case 'linear': {
        const v = `CASE WHEN ${t} IS NOT NULL THEN ${q} END`
        const at = `CASE WHEN ${q} IS NOT NULL THEN ${t} END`
        const pv = `last_value(${v} IGNORE NULLS) ${win(UPTO)}`
        const pt = `last_value(${at} IGNORE NULLS) ${win(UPTO)}`
        const nv = `first_value(${v} IGNORE NULLS) ${win(FROM_HERE)}`
        const nt = `first_value(${at} IGNORE NULLS) ${win(FROM_HERE)}`
        return `${pv} + (${nv} - ${pv}) * CASE WHEN ${nt} = ${pt} THEN 0 ELSE (${t} - ${pt}) / (${nt} - ${pt}) END`
      }
    }
  }
  const index = new Map(options.columns.map((c, j) => [c, j]))
  const list = scope.columns.map((c) => {
    const j = index.get(c)
    const q = quoteIdentifier(c)
    if (j === undefined) return q
    if (maxGap === undefined) return `coalesce(${q}, ${fillOf(c)}) AS ${q}`
    const n = helper(`n${j}`)
    const run = `count(*) OVER (PARTITION BY ${[...by.map(quoteIdentifier), n].join(', ')}) - CASE WHEN ${n} > 0 THEN 1 ELSE 0 END`
    return `CASE WHEN ${q} IS NULL AND ${run} <= ${maxGap} THEN ${fillOf(c)} ELSE ${q} END AS ${q}`
  })
  const from = scope.stage(`SELECT ${list.join(', ')}, ${ROW_NUMBER_COLUMN} FROM ${first}`)
  return { from, columns: [...scope.columns] }
}
