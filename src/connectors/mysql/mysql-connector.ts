import type { Connector } from '../../data/connector-contract.js'
import { mysqlSqlRunner } from './mysql-sql-runner.js'
import { mysqlConnectionOptions } from './mysql-connection-options.js'
import { MysqlDestination } from './mysql-destination.js'
import { mysqlDestinationOptions } from './mysql-destination-options.js'
import { MysqlSource } from './mysql-source.js'
import { sqlSourceOptions } from '../../data/sql/sql-source-options.js'

/** MySQL and MariaDB (`mysql://`, `mariadb://`): source, destination, incremental, merge. */
export const mysqlConnector = {
  name: 'mysql',
  schemes: ['mysql', 'mariadb'],
  capabilities: {
    source: true,
    destination: true,
    incremental: true,
    merge: true,
    transactions: true,
    bulk: 'multi-row-insert',
    maxBatchRows: 100_000,
  },
  connectionOptions: mysqlConnectionOptions,
  sourceOptions: sqlSourceOptions,
  destinationOptions: mysqlDestinationOptions,
  createSource: (conn, options) => new MysqlSource(conn, options),
  createDestination: (conn, options) => new MysqlDestination(conn, options),
  createSqlRunner: (conn) => mysqlSqlRunner(conn),
} satisfies Connector & { connectionOptions: unknown }
