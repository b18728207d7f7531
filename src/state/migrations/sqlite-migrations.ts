import type { Migration } from './migration.js'
import { stateMigrations } from './state-migrations.js'

/** The state schema in SQLite (see `stateMigrations`). */
export const SQLITE_MIGRATIONS: readonly Migration[] = stateMigrations('sqlite')
