import type { DuckDBEngine } from '../../data/duckdb/duckdb-engine.js'
import { quoteLiteral } from '../../data/duckdb/quote-literal.js'
import {
  lineageFromSqlAst,
  type LineageFromAstOptions,
  type SqlColumnLineage,
} from './lineage-from-sql-ast.js'

export type {
  ColumnRef,
  ColumnTransformation,
  OutputColumnLineage,
  SqlColumnLineage,
} from './lineage-from-sql-ast.js'

/**
 * Column-level lineage of a SQL task: parses `sql` with DuckDB's own parser
 * (`json_serialize_sql`, nothing runs) and maps each output column to the input columns
 * (`table.column`) it derives from. `tables` gives the upstream datasets' column names, so `*`
 * expands and unqualified names resolve; `outputColumns` names unaliased expressions. SQL
 * DuckDB cannot parse, or cases it cannot settle, give `columns: undefined` (never a guess):
 * lineage is best effort and must not fail a task.
 */
export async function columnLineage(
  engine: DuckDBEngine,
  sql: string,
  options: LineageFromAstOptions = {},
): Promise<SqlColumnLineage> {
  let ast: unknown
  try {
    const { rows } = await engine.all(
      `SELECT CAST(json_serialize_sql(${quoteLiteral(sql)}) AS VARCHAR)`,
    )
    const text = rows[0]?.[0]
    ast = typeof text === 'string' ? JSON.parse(text) : undefined
  } catch {
    ast = undefined
  }
  return lineageFromSqlAst(ast, options)
}
