import pg from 'pg'
import type { ConnectionOptions } from 'node:tls'
import { parseDuration } from '../../core/duration.js'
import { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { ConnectionConfig } from '../../data/connector-contract.js'
import { postgresConnectionOptions } from './postgres-connection-options.js'
import { postgresError } from './postgres-error.js'
import { postgresTypeParsers } from './postgres-type-parsers.js'

function sslConfig(ssl: unknown): boolean | ConnectionOptions | undefined {
  if (ssl === undefined || ssl === false || ssl === 'disable')
    return ssl === undefined ? undefined : false
  if (ssl === true || ssl === 'require') return { rejectUnauthorized: false }
  if (ssl === 'verify-full') return { rejectUnauthorized: true }
  return ssl as ConnectionOptions
}

/**
 * A pg Pool for one connection: its own type parsers (lossless values, see
 * `postgresTypeParsers`), UTC/ISO session settings, pool size, TLS and statement timeout. Errors
 * come out as SluiceErrors with the URL password masked.
 */
export class PostgresConnection {
  readonly pool: pg.Pool
  readonly mask: SecretMask
  readonly name: string
  private closed = false

  constructor(conn: ConnectionConfig) {
    this.name = conn.name
    this.mask = new SecretMask()
    let url: URL
    try {
      url = new URL(conn.url)
    } catch {
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        this.mask.mask(`connection ${conn.name}: not a URL: ${conn.url}`),
      )
    }
    if (url.password) {
      this.mask.add(url.password)
      this.mask.add(decodeURIComponent(url.password))
    }
    const parsed = postgresConnectionOptions.safeParse(conn.options)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `connection ${conn.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      )
    const o = parsed.data
    const settings = ['TimeZone=UTC', 'DateStyle=ISO', 'IntervalStyle=postgres', 'bytea_output=hex']
    const st = o.statement_timeout === undefined ? undefined : parseDuration(o.statement_timeout)
    if (st !== undefined) settings.push(`statement_timeout=${Math.round(st)}`)
    const ssl = sslConfig(o.ssl)
    this.pool = new pg.Pool({
      connectionString: conn.url,
      max: o.pool ?? 4,
      connectionTimeoutMillis: Math.round(parseDuration(o.connect_timeout ?? '10s') ?? 10_000),
      idleTimeoutMillis: 30_000,
      application_name: o.application_name ?? 'sluice',
      options: settings.map((s) => `-c ${s}`).join(' '),
      types: postgresTypeParsers,
      ...(ssl === undefined ? {} : { ssl }),
    })
    // an idle client losing its socket must not crash the process; the next checkout reconnects
    this.pool.on('error', () => {})
  }

  /** Checks out a client; connection failures become retryable E_NETWORK errors. */
  async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect()
    } catch (e) {
      throw postgresError(e, this.mask, `cannot connect to ${this.name}`)
    }
  }

  /** One statement on a pooled client. */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
  ): Promise<pg.QueryResult<R>> {
    const client = await this.connect()
    try {
      return await client.query<R>(text, values as unknown[])
    } catch (e) {
      throw postgresError(e, this.mask, `query on ${this.name} failed`)
    } finally {
      client.release()
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.pool.end()
  }
}
