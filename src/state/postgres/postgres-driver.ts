import pg from 'pg'
import { SluiceError } from '../../core/sluice-error.js'
import type { SqlDriver, SqlExecutor, SqlResult } from '../sql/sql-driver.js'

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/
/** Connection-level failures (refused, reset, DNS) and PostgreSQL class 08 / 57P0x. */
const CONNECT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE'])

function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code
  return (
    typeof code === 'string' &&
    (CONNECT_ERRNO.has(code) || code.startsWith('08') || code.startsWith('57P0'))
  )
}

function wrap(e: unknown): unknown {
  if (!isConnectionError(e)) return e
  const message = e instanceof Error ? e.message : String(e)
  return new SluiceError('E_STATE_CONNECT', `PostgreSQL state store unreachable: ${message}`, {
    hint: 'check SLUICE_STATE_URL and that the server is running',
    cause: e,
  })
}

/** `?` placeholders become `$1`, `$2`, … (the store's SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

function executor(run: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      try {
        const res = await run.query(numbered(sql), [...params])
        return { rows: res.rows as R[], changes: res.rowCount ?? 0 }
      } catch (e) {
        throw wrap(e)
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await run.query(sql)
      } catch (e) {
        throw wrap(e)
      }
    },
  }
}

export interface PostgresDriverOptions {
  /** `postgres://user:pass@host:5432/db` */
  readonly url: string
  /** Schema holding the tables (created if missing); default `sluice`. */
  readonly schema?: string
  /** Pool size; default 10. */
  readonly max?: number
}

/** PostgreSQL through a pg Pool; every connection's search_path is the store's schema. */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres'
  readonly schema: string
  private readonly pool: pg.Pool
  private readonly direct: SqlExecutor

  constructor(options: PostgresDriverOptions) {
    this.schema = options.schema ?? 'sluice'
    if (!SCHEMA_NAME.test(this.schema)) {
      throw new SluiceError('E_SCHEMA_VALUE', `invalid state store schema name "${this.schema}"`, {
        hint: 'use letters, digits and underscores, not starting with a digit',
      })
    }
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.max ?? 10,
      options: `-c search_path="${this.schema}"`,
    })
    // an idle client losing its connection must not crash the process; the next query reports it
    this.pool.on('error', () => undefined)
    this.direct = executor(this.pool)
  }

  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
    return this.direct.query<R>(sql, params)
  }

  exec(sql: string): Promise<void> {
    return this.direct.exec(sql)
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let client: pg.PoolClient
    try {
      client = await this.pool.connect()
    } catch (e) {
      throw wrap(e)
    }
    const tx = executor(client)
    let broken = false
    try {
      await tx.exec('BEGIN')
      const out = await fn(tx)
      await tx.exec('COMMIT')
      return out
    } catch (e) {
      try {
        await client.query('ROLLBACK')
      } catch {
        broken = true
      }
      throw e
    } finally {
      client.release(broken)
    }
  }

  async beforeMigrations(tx: SqlExecutor): Promise<void> {
    // serialise concurrent openers of the same schema, then make sure it exists
    await tx.query('SELECT pg_advisory_xact_lock(hashtext(?))', [`sluice_state:${this.schema}`])
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`)
  }

  async close(): Promise<void> {
    await this.pool.end()
  }
}
