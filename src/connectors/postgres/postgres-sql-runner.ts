import type {
  ConnectionConfig,
  SqlRunContext,
  SqlRunner,
  SqlRunResult,
} from '../../data/connector-contract.js'
import { PostgresConnection } from './postgres-connection.js'
import { postgresError } from './postgres-error.js'

/**
 * Runs a script's statements inside PostgreSQL in one transaction on one pooled client. A failed
 * statement rolls everything back and reports its index and PostgreSQL's error position; an abort
 * cancels the running statement on the server (`pg_cancel_backend`) and rolls back.
 */
export function postgresSqlRunner(conn: ConnectionConfig): SqlRunner {
  const pg = new PostgresConnection(conn)
  return {
    async run(statements: readonly string[], ctx: SqlRunContext): Promise<SqlRunResult> {
      const client = await pg.connect()
      const pid = (client as unknown as { processID?: number }).processID
      const onAbort = () => {
        if (pid !== undefined) pg.pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {})
      }
      ctx.signal.addEventListener('abort', onAbort, { once: true })
      let broken = false
      try {
        await client.query('BEGIN')
        const rowsAffected: number[] = []
        for (const [i, text] of statements.entries()) {
          if (ctx.signal.aborted) throw ctx.signal.reason
          try {
            const r = await client.query(text)
            rowsAffected.push(r.rowCount ?? 0)
          } catch (e) {
            if (ctx.signal.aborted) throw ctx.signal.reason
            await client.query('ROLLBACK').catch(() => (broken = true))
            const position = Number((e as { position?: unknown }).position)
            return {
              ok: false,
              failure: {
                statement: i,
                error: postgresError(e, pg.mask, pg.name),
                ...(Number.isInteger(position) && position >= 1 && { offset: position - 1 }),
              },
            }
          }
        }
        await client.query('COMMIT')
        return { ok: true, rowsAffected }
      } catch (e) {
        await client.query('ROLLBACK').catch(() => (broken = true))
        throw postgresError(e, pg.mask, `SQL on ${pg.name} failed`)
      } finally {
        ctx.signal.removeEventListener('abort', onAbort)
        client.release(broken)
      }
    },
    mask: (text) => pg.mask.mask(text),
    close: () => pg.close(),
  }
}
