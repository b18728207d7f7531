import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'

/** An upstream dataset bound under its task id: the id and a DuckDB table expression. */
export interface SqlInput {
  readonly id: string
  readonly relation: string
}

/** The statement DuckDB runs, and how many lines precede the user's first line in it. */
export interface WrappedSql {
  readonly sql: string
  readonly lineOffset: number
}

/**
 * The query of a DuckDB `sql` task as it runs: upstream datasets are CTEs named after their task
 * ids, all on one line before the user's SQL, which follows unchanged from the next line (so an
 * error on DuckDB line N is on line N - lineOffset of the user's SQL). Trailing semicolons go;
 * the closing parenthesis gets its own line so a trailing `-- comment` cannot swallow it.
 */
export function wrapDuckdbSql(body: string, inputs: readonly SqlInput[]): WrappedSql {
  const text = body.replace(/[\s;]+$/, '')
  if (inputs.length === 0) return { sql: `${text}\n`, lineOffset: 0 }
  const ctes = inputs.map((i) => `${quoteIdentifier(i.id)} AS (SELECT * FROM ${i.relation})`)
  return { sql: `WITH ${ctes.join(', ')} SELECT * FROM (\n${text}\n)`, lineOffset: 1 }
}
