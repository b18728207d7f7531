import { POSTGRES_MIGRATIONS } from '../migrations/postgres-migrations.js'
import { applyMigrations } from '../sql/apply-migrations.js'
import { SqlStateStore, type SqlStateStoreOptions } from '../sql/sql-state-store.js'
import { PostgresDriver, type PostgresDriverOptions } from './postgres-driver.js'

export interface PostgresStateStoreOptions extends SqlStateStoreOptions, PostgresDriverOptions {}

/** The shared state store for servers and workers (`SLUICE_STATE_URL=postgres://…`). */
export class PostgresStateStore extends SqlStateStore {
  /** Connects, creates the schema if needed and applies pending migrations. */
  static async open(options: PostgresStateStoreOptions): Promise<PostgresStateStore> {
    const driver = new PostgresDriver(options)
    try {
      await applyMigrations(driver, POSTGRES_MIGRATIONS)
    } catch (e) {
      await driver.close()
      throw e
    }
    return new PostgresStateStore(driver, options)
  }
}
