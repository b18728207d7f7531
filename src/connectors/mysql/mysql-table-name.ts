import { splitQualifiedName } from '../../data/sql/split-qualified-name.js'
import { quoteMysqlIdent } from './quote-mysql-ident.js'

/** A table as `database.table` (database optional: the connection's default). */
export interface MysqlTableName {
  readonly database: string | undefined
  readonly table: string
  /** Backtick-quoted, ready for SQL. */
  readonly sql: string
}

/**
 * Parses `table` or `database.table`. A part may be quoted with backticks or double quotes to
 * hold dots (`` `my.db`.`t` ``); the quote character is doubled inside.
 */
export function mysqlTableName(name: string): MysqlTableName {
  const parts = splitQualifiedName(name, { quotes: '`"', qualifier: 'database' })
  const table = parts[parts.length - 1]!
  const database = parts.length === 2 ? parts[0] : undefined
  return {
    database,
    table,
    sql:
      database === undefined
        ? quoteMysqlIdent(table)
        : `${quoteMysqlIdent(database)}.${quoteMysqlIdent(table)}`,
  }
}
