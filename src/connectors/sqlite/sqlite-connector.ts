import type { Connector } from '../../data/connector-contract.js'
import { sqliteSqlRunner } from './sqlite-sql-runner.js'
import { sqliteConnectionOptions } from './sqlite-connection-options.js'
import { SqliteDestination } from './sqlite-destination.js'
import { sqliteDestinationOptions } from './sqlite-destination-options.js'
import { SqliteSource } from './sqlite-source.js'
import { sqlSourceOptions } from '../../data/sql/sql-source-options.js'

/** SQLite files (`sqlite:PATH`): source, destination, incremental, merge; WAL. */
export const sqliteConnector = {
  name: 'sqlite',
  schemes: ['sqlite'],
  capabilities: {
    source: true,
    destination: true,
    incremental: true,
    merge: true,
    transactions: true,
    bulk: 'none',
    maxBatchRows: 100_000,
  },
  connectionOptions: sqliteConnectionOptions,
  sourceOptions: sqlSourceOptions,
  destinationOptions: sqliteDestinationOptions,
  createSource: (conn, options) => new SqliteSource(conn, options),
  createDestination: (conn, options) => new SqliteDestination(conn, options),
  createSqlRunner: (conn) => sqliteSqlRunner(conn),
} satisfies Connector & { connectionOptions: unknown }
