import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'
import { columnList } from './column-list.js'
import type { OpScope } from './op-scope.js'
import { RESERVED_PREFIX } from './row-number-column.js'

/** How a method fits a column: aggregates of the (float64) values, then expressions over them. */
export interface FitSpec {
  /** Stat name → aggregate SQL over `x` (the column cast to DOUBLE). */
  readonly base: (x: string) => Readonly<Record<string, string>>
  /** Stat name → SQL over the base stats (`ref('q1')`). */
  readonly derived: (ref: (stat: string) => string) => Readonly<Record<string, string>>
}

/** The fitted statistics of each column, as window values on every row and as one JSON row. */
export interface FittedColumns {
  /** A stage with the input's columns plus one helper column per base stat. */
  readonly from: string
  /** SQL for stat `name` (base or derived) of column number `j`, valid in a SELECT from `from`. */
  readonly stat: (j: number, name: string) => string
  /**
   * A SELECT over the op's input returning one row, one JSON column `params`:
   * `{ method, by: [...], <settings>, groups: [{ key: {g: …}, columns: { x: { stat: value } } }] }`,
   * groups ordered by key (NULLs last). No `by`: one group with key `{}` (stats NULL on empty input).
   */
  readonly fitted: string
}

/**
 * Adds the fitted statistics of `columns` (per group of `by`) to the op's input as window
 * aggregates, and builds the query reporting the same statistics, computed with the same SQL,
 * for the task outputs (so an inverse transform can use them).
 */
export function fitColumns(
  scope: OpScope,
  columns: readonly string[],
  by: readonly string[],
  method: string,
  spec: FitSpec,
  settings: Readonly<Record<string, number>> = {},
): FittedColumns {
  const helper = (j: number, stat: string) => quoteIdentifier(`${RESERVED_PREFIX}f${j}_${stat}`)
  const partition = by.length === 0 ? '' : `PARTITION BY ${columnList(by)}`
  const bases = columns.map((c) => spec.base(`CAST(${quoteIdentifier(c)} AS DOUBLE)`))
  const windowed = bases.flatMap((b, j) =>
    Object.entries(b).map(([stat, agg]) => `${agg} OVER (${partition}) AS ${helper(j, stat)}`),
  )
  const from = scope.stage(`SELECT *, ${windowed.join(', ')} FROM ${scope.from}`)
  const derivedOf = (j: number) => spec.derived((stat) => helper(j, stat))
  const stat = (j: number, name: string): string => {
    const d = derivedOf(j)[name]
    return d === undefined ? helper(j, name) : `(${d})`
  }

  const grouped = bases.flatMap((b, j) =>
    Object.entries(b).map(([s, agg]) => `${agg} AS ${helper(j, s)}`),
  )
  const inner =
    by.length === 0
      ? `SELECT ${grouped.join(', ')} FROM ${scope.from}`
      : `SELECT ${columnList(by)}, ${grouped.join(', ')} FROM ${scope.from} GROUP BY ${columnList(by)}`
  const key = `json_object(${by.map((b) => `${quoteLiteral(b)}, ${quoteIdentifier(b)}`).join(', ')})`
  const perColumn = columns.map((c, j) => {
    const stats = [...Object.keys(bases[j]!), ...Object.keys(derivedOf(j))]
    const fields = stats.map((s) => `${quoteLiteral(s)}, ${stat(j, s)}`).join(', ')
    return `${quoteLiteral(c)}, json_object(${fields})`
  })
  const order =
    by.length === 0
      ? ''
      : ` ORDER BY ${by.map((b) => `${quoteIdentifier(b)} NULLS LAST`).join(', ')}`
  const group = `json_object('key', ${key}, 'columns', json_object(${perColumn.join(', ')}))`
  const byJson = `to_json([${by.map(quoteLiteral).join(', ')}]::VARCHAR[])`
  const extra = Object.entries(settings)
    .map(([k, v]) => `, ${quoteLiteral(k)}, ${String(v)}`)
    .join('')
  const fitted = `SELECT json_object('method', ${quoteLiteral(method)}, 'by', ${byJson}${extra}, 'groups', to_json(coalesce(list(${group}${order}), []))) AS params FROM (${inner})`
  return { from, stat, fitted }
}
