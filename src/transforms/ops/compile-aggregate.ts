import { isSluiceError } from '../../core/sluice-error.js'
import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import { columnList } from './column-list.js'
import { measureSql } from './measure-sql.js'
import { opError } from './op-error.js'
import type { OpOptions, OpOutput, OpScope } from './op-scope.js'
import { parseMeasure, type Measure } from './parse-measure.js'
import { requireColumns } from './require-columns.js'
import { requireNewNames } from './require-new-names.js'
import { ROW_NUMBER_COLUMN } from './row-number-column.js'

/**
 * `aggregate: { group_by, measures }`: one row per group (NULL keys form one group), the group_by
 * columns first, then the measures in order. Groups come in order of their first row in the input.
 * Without group_by the result is always one row (count 0 and NULL sums on empty input).
 */
export function compileAggregate(scope: OpScope, options: OpOptions<'aggregate'>): OpOutput {
  const groupBy = options.group_by ?? []
  requireColumns(scope, groupBy)
  const measures: [string, Measure][] = []
  for (const [name, text] of Object.entries(options.measures)) {
    let m: Measure
    try {
      m = parseMeasure(text)
    } catch (e) {
      if (!isSluiceError(e)) throw e
      throw opError(scope, `${name}: ${e.message}`, e.hint)
    }
    if (m.column !== '*') requireColumns(scope, [m.column])
    measures.push([name, m])
  }
  const columns = [...groupBy, ...measures.map(([name]) => name)]
  requireNewNames(scope, columns)
  const list = [
    ...groupBy.map(quoteIdentifier),
    ...measures.map(([name, m]) => `${measureSql(m)} AS ${quoteIdentifier(name)}`),
  ]
  const sql =
    groupBy.length === 0
      ? `SELECT ${list.join(', ')}, 1::BIGINT AS ${ROW_NUMBER_COLUMN} FROM ${scope.from}`
      : `SELECT ${list.join(', ')}, min(${ROW_NUMBER_COLUMN}) AS ${ROW_NUMBER_COLUMN} FROM ${scope.from} GROUP BY ${columnList(groupBy)}`
  return { from: scope.stage(sql), columns }
}
