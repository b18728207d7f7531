import type Database from 'better-sqlite3'
import { parseDuration } from '../../core/duration.js'
import { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { ConnectionConfig } from '../../data/connector-contract.js'
import { sqliteConnectionOptions } from './sqlite-connection-options.js'
import { sqliteError } from './sqlite-error.js'

/**
 * One better-sqlite3 database for a `sqlite:PATH` connection (`sqlite:data/x.db`,
 * `sqlite:/abs/x.db`, `sqlite:///abs/x.db`, `sqlite::memory:`; `?mode=ro` opens read-only),
 * opened lazily in WAL mode with `synchronous=NORMAL` and a busy timeout.
 */
export class SqliteConnection {
  readonly name: string
  readonly path: string
  readonly mask = new SecretMask()
  private readonly wal: boolean
  private readonly readonly: boolean
  private readonly busyMs: number
  private handle: Database.Database | undefined

  constructor(conn: ConnectionConfig) {
    this.name = conn.name
    const opts = sqliteConnectionOptions.parse(conn.options)
    const m = /^sqlite:(.*)$/i.exec(conn.url.trim())
    if (!m)
      throw new SluiceError('E_SCHEMA_VALUE', `connection ${conn.name}: not a sqlite: URL`, {
        hint: 'sqlite:path/to/file.db or sqlite:/absolute/path.db',
      })
    let rest = m[1]!
    const qAt = rest.indexOf('?')
    const params = new URLSearchParams(qAt === -1 ? '' : rest.slice(qAt + 1))
    if (qAt !== -1) rest = rest.slice(0, qAt)
    if (rest.startsWith('//')) rest = rest.slice(2)
    if (rest === '')
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `connection ${conn.name}: the sqlite: URL has no path`,
      )
    this.path = rest
    this.wal = opts.wal ?? params.get('wal') !== 'false'
    this.readonly = opts.readonly ?? params.get('mode') === 'ro'
    this.busyMs =
      opts.busy_timeout === undefined ? 5000 : (parseDuration(opts.busy_timeout) ?? 5000)
  }

  /** The open database (opened on first use). */
  async db(): Promise<Database.Database> {
    if (this.handle) return this.handle
    const { default: Sqlite } = await import('better-sqlite3')
    try {
      const db = new Sqlite(this.path, {
        readonly: this.readonly,
        fileMustExist: this.readonly,
        timeout: this.busyMs,
      })
      if (this.wal && !this.readonly && this.path !== ':memory:') {
        db.pragma('journal_mode = WAL')
        db.pragma('synchronous = NORMAL')
      }
      this.handle = db
      return db
    } catch (e) {
      throw sqliteError(e, this.mask, `open ${this.name} (${this.path}) failed`)
    }
  }

  async close(): Promise<void> {
    const db = this.handle
    this.handle = undefined
    await Promise.resolve(db?.close())
  }
}
