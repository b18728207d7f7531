import type { Migration } from './migration.js'
import { stateMigrations } from './state-migrations.js'

/** The state schema in PostgreSQL (see `stateMigrations`). */
export const POSTGRES_MIGRATIONS: readonly Migration[] = stateMigrations('postgres')
