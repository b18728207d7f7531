import type { Connector } from '../../data/connector-contract.js'
import { postgresSqlRunner } from './postgres-sql-runner.js'
import { PostgresDestination } from './postgres-destination.js'
import { postgresDestinationOptions } from './postgres-destination-options.js'
import { PostgresSource } from './postgres-source.js'
import { sqlSourceOptions } from '../../data/sql/sql-source-options.js'

/** PostgreSQL: cursor-streamed reads, COPY loads, merge, transactional watermarks. */
export const postgresConnector: Connector = {
  name: 'postgres',
  schemes: ['postgres', 'postgresql'],
  capabilities: {
    source: true,
    destination: true,
    incremental: true,
    merge: true,
    transactions: true,
    bulk: 'copy',
    maxBatchRows: 1_000_000,
  },
  sourceOptions: sqlSourceOptions,
  destinationOptions: postgresDestinationOptions,
  createSource: (conn, options) => new PostgresSource(conn, options),
  createDestination: (conn, options) => new PostgresDestination(conn, options),
  createSqlRunner: (conn) => postgresSqlRunner(conn),
}
