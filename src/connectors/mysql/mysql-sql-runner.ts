import type {
  ConnectionConfig,
  SqlRunContext,
  SqlRunner,
  SqlRunResult,
} from '../../data/connector-contract.js'
import { MysqlConnection } from './mysql-connection.js'
import { mysqlError } from './mysql-error.js'

/**
 * Runs a script's statements inside MySQL/MariaDB in one transaction on one pooled connection. A
 * failed statement rolls back and reports its index and the server's "at line N". Note: MySQL
 * commits DDL (CREATE, ALTER, DROP) implicitly, so only data changes roll back. An abort drops
 * the connection, which makes the server roll back.
 */
export function mysqlSqlRunner(conn: ConnectionConfig): SqlRunner {
  const my = new MysqlConnection(conn)
  return {
    async run(statements: readonly string[], ctx: SqlRunContext): Promise<SqlRunResult> {
      const c = await my.connect()
      let destroyed = false
      const onAbort = () => {
        destroyed = true
        c.destroy()
      }
      ctx.signal.addEventListener('abort', onAbort, { once: true })
      try {
        await my.run(c, 'START TRANSACTION')
        const rowsAffected: number[] = []
        for (const [i, text] of statements.entries()) {
          if (ctx.signal.aborted) throw ctx.signal.reason
          try {
            const r = await my.run<unknown>(c, text)
            rowsAffected.push(
              Array.isArray(r.rows)
                ? r.rows.length
                : Number((r.rows as { affectedRows?: number }).affectedRows ?? 0),
            )
          } catch (e) {
            if (ctx.signal.aborted) throw ctx.signal.reason
            await my.run(c, 'ROLLBACK').catch(() => {})
            const cause = (e as { cause?: { sqlMessage?: unknown } }).cause
            const msg = typeof cause?.sqlMessage === 'string' ? cause.sqlMessage : ''
            const line = Number(/ at line (\d+)\s*$/.exec(msg)?.[1])
            return {
              ok: false,
              failure: {
                statement: i,
                error: mysqlError(cause ?? e, my.mask, my.name),
                ...(Number.isInteger(line) && line >= 1 && { line }),
              },
            }
          }
        }
        await my.run(c, 'COMMIT')
        return { ok: true, rowsAffected }
      } catch (e) {
        if (!destroyed) await my.run(c, 'ROLLBACK').catch(() => {})
        throw ctx.signal.aborted
          ? ctx.signal.reason
          : mysqlError(e, my.mask, `SQL on ${my.name} failed`)
      } finally {
        ctx.signal.removeEventListener('abort', onAbort)
        if (destroyed) c.destroy()
        else c.release()
      }
    },
    mask: (text) => my.mask.mask(text),
    close: () => my.close(),
  }
}
