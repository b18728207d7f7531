import type {
  ConnectionConfig,
  SqlRunContext,
  SqlRunner,
  SqlRunResult,
} from '../../data/connector-contract.js'
import { SqliteConnection } from './sqlite-connection.js'
import { sqliteError } from './sqlite-error.js'

/**
 * Runs a script's statements inside a SQLite file in one `BEGIN IMMEDIATE` transaction (so a
 * writer waits for the lock up front instead of failing half way). A failed statement rolls back
 * all of them; SQLite reports no error position, so the statement index is what locates it.
 */
export function sqliteSqlRunner(conn: ConnectionConfig): SqlRunner {
  const lite = new SqliteConnection(conn)
  return {
    async run(statements: readonly string[], ctx: SqlRunContext): Promise<SqlRunResult> {
      const db = await lite.db()
      try {
        db.exec('BEGIN IMMEDIATE')
      } catch (e) {
        throw sqliteError(e, lite.mask, `cannot start a transaction on ${lite.name}`)
      }
      const rowsAffected: number[] = []
      for (const [i, text] of statements.entries()) {
        try {
          if (ctx.signal.aborted) throw ctx.signal.reason
          const stmt = db.prepare(text)
          rowsAffected.push(stmt.reader ? stmt.all().length : stmt.run().changes)
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK')
          if (ctx.signal.aborted) throw ctx.signal.reason
          return {
            ok: false,
            failure: {
              statement: i,
              error: sqliteError(e, lite.mask, lite.name),
            },
          }
        }
      }
      try {
        db.exec('COMMIT')
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw sqliteError(e, lite.mask, `commit on ${lite.name} failed`)
      }
      return { ok: true, rowsAffected }
    },
    mask: (text) => lite.mask.mask(text),
    close: () => lite.close(),
  }
}
