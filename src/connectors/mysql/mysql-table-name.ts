import { SluiceError } from '../../core/sluice-error.js'
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
  const parts: string[] = []
  let i = 0
  const bad = (): never => {
    throw new SluiceError('E_SCHEMA_VALUE', `invalid table name ${JSON.stringify(name)}`, {
      hint: 'write table or database.table; quote a part with `…` when it holds a dot',
    })
  }
  while (i < name.length) {
    let part = ''
    const q = name[i]
    if (q === '`' || q === '"') {
      i++
      for (;;) {
        if (i >= name.length) bad()
        if (name[i] === q) {
          if (name[i + 1] === q) {
            part += q
            i += 2
            continue
          }
          i++
          break
        }
        part += name[i]
        i++
      }
    } else {
      const end = name.indexOf('.', i)
      part = name.slice(i, end === -1 ? name.length : end)
      if (part.includes('`') || part.includes('"')) bad()
      i = end === -1 ? name.length : end
    }
    if (part === '') bad()
    parts.push(part)
    if (i >= name.length) break
    if (name[i] !== '.') bad()
    i++
    if (i >= name.length) bad()
  }
  if (parts.length === 0 || parts.length > 2) bad()
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
