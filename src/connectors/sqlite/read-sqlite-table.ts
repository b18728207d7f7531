import type Database from 'better-sqlite3'
import type { Column } from '../../data/column-type.js'
import type { SqliteTableName } from './sqlite-table-name.js'
import { sqliteTypes } from './sqlite-types.js'

/** A table as SQLite describes it. */
export interface SqliteTable {
  readonly columns: readonly Column[]
  readonly primaryKey: readonly string[]
  /** Column lists of the unique indexes (the primary key included). */
  readonly uniqueKeys: readonly (readonly string[])[]
}

/** Reads a table's columns and keys (pragma table functions); undefined when it does not exist. */
export function readSqliteTable(
  db: Database.Database,
  name: SqliteTableName,
): SqliteTable | undefined {
  const schema = name.schema ?? 'main'
  const cols = db
    .prepare<
      [string, string],
      { name: string; type: string; notnull: number; pk: number; hidden: number }
    >('SELECT name, type, "notnull", pk, hidden FROM pragma_table_xinfo(?, ?)')
    .all(name.table, schema)
    .filter((c) => c.hidden === 0)
  if (cols.length === 0) return undefined
  const columns: Column[] = cols.map((c) => ({
    name: c.name,
    type: sqliteTypes.fromDeclared(c.type),
    nullable: c.notnull === 0 && c.pk === 0,
  }))
  const primaryKey = cols
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name)
  const uniqueKeys: string[][] = primaryKey.length > 0 ? [primaryKey] : []
  const indexes = db
    .prepare<[string, string], { name: string; unique: number }>(
      'SELECT name, "unique" FROM pragma_index_list(?, ?)',
    )
    .all(name.table, schema)
  for (const ix of indexes) {
    if (ix.unique !== 1) continue
    const info = db
      .prepare<[string, string], { name: string | null }>(
        'SELECT name FROM pragma_index_info(?, ?) ORDER BY seqno',
      )
      .all(ix.name, schema)
    if (info.every((i) => i.name !== null)) uniqueKeys.push(info.map((i) => i.name!))
  }
  return { columns, primaryKey, uniqueKeys }
}
