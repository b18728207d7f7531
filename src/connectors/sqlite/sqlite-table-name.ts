import { splitQualifiedName } from '../../data/sql/split-qualified-name.js'
import { quoteSqliteIdent } from './quote-sqlite-ident.js'

/** A table as `schema.table` (schema optional: `main`). */
export interface SqliteTableName {
  readonly schema: string | undefined
  readonly table: string
  /** Backtick-quoted, ready for SQL. */
  readonly sql: string
}

/**
 * Parses `table` or `schema.table`. A part may be quoted with backticks or double quotes to
 * hold dots (`` `my.db`.`t` ``); the quote character is doubled inside.
 */
export function sqliteTableName(name: string): SqliteTableName {
  const parts = splitQualifiedName(name, { quotes: '`"', qualifier: 'schema' })
  const table = parts[parts.length - 1]!
  const schema = parts.length === 2 ? parts[0] : undefined
  return {
    schema,
    table,
    sql:
      schema === undefined
        ? quoteSqliteIdent(table)
        : `${quoteSqliteIdent(schema)}.${quoteSqliteIdent(table)}`,
  }
}
