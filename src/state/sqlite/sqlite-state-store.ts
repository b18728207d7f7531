import { SQLITE_MIGRATIONS } from '../migrations/sqlite-migrations.js'
import { applyMigrations } from '../sql/apply-migrations.js'
import { SqlStateStore, type SqlStateStoreOptions } from '../sql/sql-state-store.js'
import { SqliteDriver } from './sqlite-driver.js'

export interface SqliteStateStoreOptions extends SqlStateStoreOptions {
  /** File path (created if missing) or `:memory:`. */
  readonly path: string
  /** How long a writer waits for another process's lock; default 5000. */
  readonly busyTimeoutMs?: number
}

/** The embedded state store (DESIGN.md §6), by default at `<workspace>/state.db`. */
export class SqliteStateStore extends SqlStateStore {
  /** Opens the file and applies pending migrations. */
  static async open(options: SqliteStateStoreOptions): Promise<SqliteStateStore> {
    const driver = new SqliteDriver(options.path, options)
    try {
      await applyMigrations(driver, SQLITE_MIGRATIONS)
    } catch (e) {
      await driver.close()
      throw e
    }
    return new SqliteStateStore(driver, options)
  }
}
