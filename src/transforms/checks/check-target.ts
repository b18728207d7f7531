/** The dataset a list of checks runs over, as DuckDB SQL. */
export interface CheckTarget {
  /** Relation SQL: a table or view name, or a parenthesised `(SELECT …)`. */
  readonly sql: string
  /**
   * Other relations by name (name → relation SQL): the targets of `referential` checks and the
   * names a custom `sql` check may read besides `input`. The engine passes the upstream datasets.
   */
  readonly relations?: Readonly<Record<string, string>>
}
