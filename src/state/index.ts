export type { StateStore } from './state-store.js'
export type * from './records.js'
export type { Migration } from './migrations/migration.js'
export { SQLITE_MIGRATIONS } from './migrations/sqlite-migrations.js'
export { POSTGRES_MIGRATIONS } from './migrations/postgres-migrations.js'
export { SqlStateStore, type SqlStateStoreOptions } from './sql/sql-state-store.js'
export { SqliteStateStore, type SqliteStateStoreOptions } from './sqlite/sqlite-state-store.js'
export {
  PostgresStateStore,
  type PostgresStateStoreOptions,
} from './postgres/postgres-state-store.js'
