/** One statement's result: rows for SELECT/RETURNING, `changes` for writes. */
export interface SqlResult<R> {
  readonly rows: R[]
  readonly changes: number
}

/** Runs SQL written with `?` placeholders (drivers translate them for their dialect). */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<R>>
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>
}

/** The little a SQL state store needs from a database; one implementation per dialect. */
export interface SqlDriver extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres'
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>
  /** Called first inside the migration transaction (locks, schema creation). */
  beforeMigrations(tx: SqlExecutor): Promise<void>
  close(): Promise<void>
}
