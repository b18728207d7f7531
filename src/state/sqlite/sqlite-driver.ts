import { resolve } from 'node:path'
import Database from 'better-sqlite3'
import { SluiceError } from '../../core/sluice-error.js'
import type { SqlDriver, SqlExecutor, SqlResult } from '../sql/sql-driver.js'

type Statement = Database.Statement<unknown[], unknown>

/**
 * better-sqlite3 is synchronous: a second connection in the same process that waits for a lock
 * blocks the event loop, so the holder can never commit. Connections to one file in one process
 * therefore share a queue; other processes are handled by busy_timeout.
 */
const QUEUES = new Map<string, { tail: Promise<unknown>; users: number }>()

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
}

/** SQLite through better-sqlite3: WAL, synchronous=NORMAL, busy_timeout, foreign keys on. */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite'
  private readonly db: Database.Database
  private readonly statements = new Map<string, Statement>()
  /** Shared by every connection to this file in this process: nothing interleaves a transaction. */
  private readonly queue: { tail: Promise<unknown>; users: number }
  private readonly key: string | undefined
  private readonly direct: SqlExecutor

  constructor(path: string, options: { busyTimeoutMs?: number } = {}) {
    try {
      this.db = new Database(path)
    } catch (e) {
      throw new SluiceError('E_STATE_CONNECT', `cannot open SQLite state store ${path}`, {
        retryable: false,
        hint: 'check that the directory exists and is writable',
        cause: e,
      })
    }
    const file = path !== ':memory:' && path !== ''
    this.key = file ? resolve(path) : undefined
    this.queue = (this.key && QUEUES.get(this.key)) || { tail: Promise.resolve(), users: 0 }
    this.queue.users++
    if (this.key) QUEUES.set(this.key, this.queue)
    if (file) this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma(`busy_timeout = ${Math.floor(options.busyTimeoutMs ?? 5000)}`)
    this.db.pragma('foreign_keys = ON')
    this.direct = {
      query: <R>(sql: string, params: readonly unknown[] = []) =>
        Promise.resolve(this.run<R>(sql, params)),
      exec: (sql: string) => {
        this.db.exec(sql)
        return Promise.resolve()
      },
    }
  }

  private run<R>(sql: string, params: readonly unknown[]): SqlResult<R> {
    let stmt = this.statements.get(sql)
    if (!stmt) {
      stmt = this.db.prepare(sql)
      this.statements.set(sql, stmt)
    }
    const args = params.map((p) =>
      p === undefined ? null : typeof p === 'boolean' ? Number(p) : p,
    )
    if (stmt.reader) {
      const rows = stmt.all(...args) as R[]
      return { rows, changes: rows.length }
    }
    return { rows: [], changes: stmt.run(...args).changes }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const guarded = async () => {
      try {
        return await fn()
      } catch (e) {
        if (!isBusy(e)) throw e
        throw new SluiceError(
          'E_STATE_CONNECT',
          'SQLite state store is locked by another process',
          {
            hint: 'retry; if it persists, look for a stuck sluice process',
            cause: e,
          },
        )
      }
    }
    const next = this.queue.tail.then(guarded, guarded)
    this.queue.tail = next.catch(() => undefined)
    return next
  }

  query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []) {
    return this.serial(() => this.direct.query<R>(sql, params))
  }

  exec(sql: string): Promise<void> {
    return this.serial(() => this.direct.exec(sql))
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      this.db.exec('BEGIN IMMEDIATE')
      try {
        const out = await fn(this.direct)
        this.db.exec('COMMIT')
        return out
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK')
        throw e
      }
    })
  }

  beforeMigrations(): Promise<void> {
    return Promise.resolve()
  }

  close(): Promise<void> {
    return this.serial(() => {
      if (this.db.open) {
        this.db.close()
        if (--this.queue.users === 0 && this.key) QUEUES.delete(this.key)
      }
      return Promise.resolve()
    })
  }
}
