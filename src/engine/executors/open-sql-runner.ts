import { SluiceError } from '../../core/sluice-error.js'
import type { PipelineSpec } from '../../core/spec/pipeline-spec.js'
import type { SqlRunner } from '../../data/connector-contract.js'
import type { ConnectorRegistry } from '../../connectors/connector-registry.js'
import { connectionFor } from './open-connector-io.js'

/** A SQL runner for the database a push-down `sql` task names, and the connector's name. */
export function openSqlRunner(
  registry: ConnectorRegistry,
  spec: PipelineSpec,
  connection: string,
  baseDir: string,
): { runner: SqlRunner; connector: string } {
  const { conn, type } = connectionFor(spec, { connection }, baseDir)
  const connector = registry.resolve(conn.url, type)
  if (!connector.createSqlRunner) {
    throw new SluiceError(
      'E_CONNECTOR_UNKNOWN',
      `the ${connector.name} connector cannot run SQL (connection ${connection})`,
      { hint: 'connection: on a sql task needs a PostgreSQL, MySQL/MariaDB or SQLite connection' },
    )
  }
  return { runner: connector.createSqlRunner(conn), connector: connector.name }
}
