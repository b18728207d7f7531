import type { FieldPacket, Pool, PoolConnection, PoolOptions, SslOptions } from 'mysql2'
import { parseDuration } from '../../core/duration.js'
import { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { ConnectionConfig } from '../../data/connector-contract.js'
import { mysqlConnectionOptions } from './mysql-connection-options.js'
import { mysqlError } from './mysql-error.js'

/** What a query answers: rows (objects or arrays) or an OK packet, and the field metadata. */
export interface MysqlResult<T> {
  readonly rows: T
  readonly fields: FieldPacket[] | undefined
}

const SSL_MODES: Readonly<Record<string, string>> = {
  disabled: 'disable',
  disable: 'disable',
  false: 'disable',
  preferred: 'require',
  required: 'require',
  require: 'require',
  true: 'require',
  verify_ca: 'verify-ca',
  'verify-ca': 'verify-ca',
  verify_identity: 'verify-full',
  'verify-full': 'verify-full',
}

/**
 * A lazily created mysql2 pool for one `mysql://` / `mariadb://` connection. Every pooled
 * connection runs in UTC (`time_zone = '+00:00'`) with backslash escapes on, returns BIGINT and
 * DECIMAL as strings, dates as strings and JSON as text, so no value is ever rounded.
 */
export class MysqlConnection {
  readonly name: string
  readonly mask = new SecretMask()
  readonly database: string | undefined
  /** The mysql2 pool options this URL and its options produce. */
  readonly poolOptions: PoolOptions
  private pool: Pool | undefined
  private readonly ready = new WeakSet<PoolConnection>()

  constructor(conn: ConnectionConfig) {
    this.name = conn.name
    const opts = mysqlConnectionOptions.parse(conn.options)
    let url: URL
    try {
      url = new URL(conn.url)
    } catch {
      throw new SluiceError('E_SCHEMA_VALUE', `connection ${conn.name}: not a valid MySQL URL`, {
        hint: 'mysql://user:password@host:3306/database',
      })
    }
    if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:')
      throw new SluiceError('E_SCHEMA_VALUE', `connection ${conn.name}: not a mysql:// URL`)
    const password = decodeURIComponent(url.password)
    if (password) this.mask.add(password)
    const db = decodeURIComponent(url.pathname.replace(/^\//, ''))
    this.database = db === '' ? undefined : db
    const q = url.searchParams
    const sslText = (q.get('ssl-mode') ?? q.get('sslmode') ?? q.get('ssl') ?? '').toLowerCase()
    const mode = typeof opts.ssl === 'object' ? 'object' : String(opts.ssl ?? SSL_MODES[sslText])
    let ssl: SslOptions | undefined
    if (typeof opts.ssl === 'object') ssl = { ...opts.ssl }
    else if (mode === 'require') ssl = { rejectUnauthorized: false }
    else if (mode === 'verify-ca' || mode === 'verify-full') ssl = { rejectUnauthorized: true }
    const poolSize = opts.pool ?? Number(q.get('pool') ?? q.get('connectionLimit') ?? 4)
    const timeout =
      opts.connect_timeout === undefined ? 10_000 : (parseDuration(opts.connect_timeout) ?? 10_000)
    this.poolOptions = {
      host: decodeURIComponent(url.hostname) || '127.0.0.1',
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username) || 'root',
      password,
      ...(this.database === undefined ? {} : { database: this.database }),
      ...(ssl ? { ssl } : {}),
      connectionLimit: Number.isInteger(poolSize) && poolSize > 0 ? poolSize : 4,
      connectTimeout: timeout,
      charset: 'utf8mb4_unicode_ci',
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      timezone: 'Z',
      decimalNumbers: false,
      multipleStatements: false,
      ...({ jsonStrings: true } as object),
    }
  }

  /** A pooled connection, set up for sluice; release (or destroy) it when done. */
  async connect(): Promise<PoolConnection> {
    if (!this.pool) {
      const mysql = await import('mysql2')
      this.pool = mysql.createPool(this.poolOptions)
    }
    const pool = this.pool
    let c: PoolConnection
    try {
      c = await new Promise<PoolConnection>((resolve, reject) =>
        pool.getConnection((err, conn) => (err ? reject(err) : resolve(conn))),
      )
    } catch (e) {
      throw mysqlError(e, this.mask, `connect to ${this.name} failed`)
    }
    if (!this.ready.has(c)) {
      try {
        await this.run(
          c,
          "SET time_zone = '+00:00', sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')",
        )
      } catch (e) {
        c.destroy()
        throw e
      }
      this.ready.add(c)
    }
    return c
  }

  /** Runs one statement (with `?` values escaped by mysql2). */
  run<T = unknown>(
    c: PoolConnection,
    sql: string,
    values?: readonly unknown[],
    rowsAsArray = false,
  ): Promise<MysqlResult<T>> {
    return new Promise((resolve, reject) => {
      c.query(
        { sql, rowsAsArray, ...(values ? { values: [...values] } : {}) },
        (err, rows, fields) => {
          if (err)
            reject(
              mysqlError(err, this.mask, `${this.name}: ${sql.split(/\s+/, 3).join(' ')} failed`),
            )
          else resolve({ rows: rows as T, fields })
        },
      )
    })
  }

  async close(): Promise<void> {
    const pool = this.pool
    this.pool = undefined
    if (pool) await new Promise<void>((resolve) => pool.end(() => resolve()))
  }
}
