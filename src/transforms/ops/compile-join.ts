import { didYouMean } from '../../core/suggest.js'
import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { columnList } from './column-list.js'
import { opError } from './op-error.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { requireColumns } from './require-columns.js'
import { requireNewNames } from './require-new-names.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

const JOIN_SQL = { inner: 'INNER', left: 'LEFT', right: 'RIGHT', full: 'FULL' } as const

/**
 * `join: { with, on, how, suffix }` joins another dataset (a relation given to compileOps).
 * Keys appear once, under the left name (right and full joins take the right key where the left
 * has none); right-side columns whose name is taken get the suffix (default `_right`). NULL keys
 * never match, as in SQL. semi/anti keep only left columns. Output order: left input order, then
 * right input order (unmatched right rows last).
 */
export function compileJoin(scope: OpScope, options: OpOptions<'join'>): OpOutput {
  const rel = scope.relation(options.with)
  if (rel === undefined) {
    throw opError(
      scope,
      `no dataset "${options.with}" to join with; datasets: ${scope.relationNames.join(', ') || '(none)'}`,
      didYouMean(options.with, scope.relationNames) ?? 'name an upstream task listed in depends_on',
    )
  }
  const pairs: [string, string][] = Array.isArray(options.on)
    ? options.on.map((c) => [c, c])
    : Object.entries(options.on)
  requireColumns(
    scope,
    pairs.map(([l]) => l),
  )
  requireColumns(
    scope,
    pairs.map(([, r]) => r),
    rel.columns,
    options.with,
  )
  requireNewNames({ index: scope.index, name: scope.name }, rel.columns)
  const right = scope.stage(
    `SELECT ${columnList(rel.columns)}, row_number() OVER () AS ${ROW_NUMBER_COLUMN} FROM ${rel.sql}`,
  )
  const how = options.how ?? 'inner'
  const cond = pairs
    .map(([l, r]) => `l.${quoteIdentifier(l)} = r.${quoteIdentifier(r)}`)
    .join(' AND ')
  if (how === 'semi' || how === 'anti') {
    const not = how === 'anti' ? 'NOT ' : ''
    const from = scope.stage(
      `SELECT l.* FROM ${scope.from} AS l WHERE ${not}EXISTS (SELECT 1 FROM ${right} AS r WHERE ${cond})`,
    )
    return { from, columns: [...scope.columns] }
  }
  const rightKeyOf = new Map(pairs)
  const rightKeys = new Set(pairs.map(([, r]) => r))
  const suffix = options.suffix ?? '_right'
  const list: string[] = scope.columns.map((c) => {
    const rk = rightKeyOf.get(c)
    const q = quoteIdentifier(c)
    return rk !== undefined && (how === 'right' || how === 'full')
      ? `coalesce(l.${q}, r.${quoteIdentifier(rk)}) AS ${q}`
      : `l.${q}`
  })
  const columns = [...scope.columns]
  for (const c of rel.columns) {
    if (rightKeys.has(c)) continue
    const name = columns.includes(c) ? `${c}${suffix}` : c
    if (columns.includes(name)) {
      throw opError(
        scope,
        `right-side column "${c}" clashes with "${name}" even with the suffix "${suffix}"`,
        'choose another suffix, or rename or drop one of the columns first',
      )
    }
    requireNewNames(scope, [name])
    columns.push(name)
    list.push(`r.${quoteIdentifier(c)} AS ${quoteIdentifier(name)}`)
  }
  const from = scope.stage(
    `SELECT ${list.join(', ')}, row_number() OVER (ORDER BY l.${ROW_NUMBER_COLUMN} NULLS LAST, r.${ROW_NUMBER_COLUMN} NULLS LAST) AS ${ROW_NUMBER_COLUMN} FROM ${scope.from} AS l ${JOIN_SQL[how]} JOIN ${right} AS r ON ${cond}`,
  )
  return { from, columns }
}
