export { sqliteConnector } from './sqlite-connector.js'
export { SqliteConnection } from './sqlite-connection.js'
export {
  sqliteConnectionOptions,
  type SqliteConnectionOptions,
} from './sqlite-connection-options.js'
export { SqliteDestination } from './sqlite-destination.js'
export {
  sqliteDestinationOptions,
  type SqliteDestinationOptions,
} from './sqlite-destination-options.js'
export { sqliteError } from './sqlite-error.js'
export { SqliteSource } from './sqlite-source.js'
export { sqliteTableName, type SqliteTableName } from './sqlite-table-name.js'
export { sqliteTypes } from './sqlite-types.js'
export { sqliteValues } from './sqlite-values.js'
export { quoteSqliteIdent } from './quote-sqlite-ident.js'
export { readSqliteTable, type SqliteTable } from './read-sqlite-table.js'
