export { mysqlConnector } from './mysql-connector.js'
export { MysqlConnection, type MysqlResult } from './mysql-connection.js'
export { mysqlConnectionOptions, type MysqlConnectionOptions } from './mysql-connection-options.js'
export { MysqlDestination } from './mysql-destination.js'
export {
  mysqlDestinationOptions,
  type MysqlDestinationOptions,
} from './mysql-destination-options.js'
export { mysqlError } from './mysql-error.js'
export { MysqlSource } from './mysql-source.js'
export { mysqlTableName, type MysqlTableName } from './mysql-table-name.js'
export { mysqlTypes, type MysqlColumnInfo } from './mysql-types.js'
export { mysqlValues } from './mysql-values.js'
export { quoteMysqlIdent } from './quote-mysql-ident.js'
export { readMysqlTable, type MysqlTable } from './read-mysql-table.js'
