import type { PoolConnection } from 'mysql2'
import type { Column } from '../../data/column-type.js'
import type { MysqlConnection } from './mysql-connection.js'
import type { MysqlTableName } from './mysql-table-name.js'
import { mysqlTypes } from './mysql-types.js'

/** A table as the server describes it. */
export interface MysqlTable {
  readonly columns: readonly Column[]
  readonly primaryKey: readonly string[]
  /** Column lists of the unique indexes (the primary key included). */
  readonly uniqueKeys: readonly (readonly string[])[]
}

interface ColumnRow {
  COLUMN_NAME: string
  DATA_TYPE: string
  COLUMN_TYPE: string
  IS_NULLABLE: string
  NUMERIC_PRECISION: string | number | null
  NUMERIC_SCALE: string | number | null
}

/** Reads a table's columns and keys from information_schema; undefined when it does not exist. */
export async function readMysqlTable(
  conn: MysqlConnection,
  c: PoolConnection,
  name: MysqlTableName,
): Promise<MysqlTable | undefined> {
  const db = name.database ?? null
  const { rows } = await conn.run<ColumnRow[]>(
    c,
    `SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, NUMERIC_PRECISION, NUMERIC_SCALE
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?
      ORDER BY ORDINAL_POSITION`,
    [db, name.table],
  )
  if (rows.length === 0) return undefined
  const jsonCols = new Set<string>()
  try {
    const checks = await conn.run<{ CHECK_CLAUSE: string }[]>(
      c,
      `SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
        WHERE CONSTRAINT_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?`,
      [db, name.table],
    )
    for (const r of checks.rows) {
      const m = /^\s*json_valid\(`((?:[^`]|``)+)`\)\s*$/i.exec(r.CHECK_CLAUSE)
      if (m) jsonCols.add(m[1]!.replace(/``/g, '`'))
    }
  } catch {
    // MySQL's CHECK_CONSTRAINTS has no TABLE_NAME; it has a real JSON type instead
  }
  const columns: Column[] = rows.map((r) => ({
    name: r.COLUMN_NAME,
    nullable: r.IS_NULLABLE === 'YES',
    type: mysqlTypes.fromInfo({
      dataType: r.DATA_TYPE,
      columnType: r.COLUMN_TYPE,
      precision: r.NUMERIC_PRECISION === null ? null : Number(r.NUMERIC_PRECISION),
      scale: r.NUMERIC_SCALE === null ? null : Number(r.NUMERIC_SCALE),
      jsonCheck: jsonCols.has(r.COLUMN_NAME),
    }),
  }))
  const idx = await conn.run<{ INDEX_NAME: string; COLUMN_NAME: string }[]>(
    c,
    `SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0
      ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [db, name.table],
  )
  const unique = new Map<string, string[]>()
  for (const r of idx.rows) {
    const list = unique.get(r.INDEX_NAME) ?? []
    list.push(r.COLUMN_NAME)
    unique.set(r.INDEX_NAME, list)
  }
  return {
    columns,
    primaryKey: unique.get('PRIMARY') ?? [],
    uniqueKeys: [...unique.values()],
  }
}
