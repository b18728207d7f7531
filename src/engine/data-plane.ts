import { join } from 'node:path'
import { ConnectorRegistry } from '../connectors/connector-registry.js'
import { fileConnector } from '../connectors/file/file-connector.js'
import { httpConnector } from '../connectors/http/http-connector.js'
import { influxdbConnector } from '../connectors/influxdb/influxdb-connector.js'
import { mysqlConnector } from '../connectors/mysql/mysql-connector.js'
import { postgresConnector } from '../connectors/postgres/postgres-connector.js'
import { prometheusConnector } from '../connectors/prometheus/prometheus-connector.js'
import { sqliteConnector } from '../connectors/sqlite/sqlite-connector.js'
import { DatasetStore } from '../data/datasets/dataset-store.js'
import { DuckDBEngine, type DuckDBEngineOptions } from '../data/duckdb/duckdb-engine.js'

/** The built-in connectors; a third party registers more on the same registry. */
export function builtinConnectors(): ConnectorRegistry {
  return new ConnectorRegistry()
    .register(fileConnector)
    .register(postgresConnector)
    .register(mysqlConnector)
    .register(sqliteConnector)
    .register(httpConnector)
    .register(prometheusConnector)
    .register(influxdbConnector)
}

/**
 * What data tasks share within a process: the connector registry, and (opened on first use,
 * since DuckDB takes ~0.3 s to load) the DuckDB engine and the dataset store in the workspace.
 */
export class DataPlane {
  private opened: Promise<{ engine: DuckDBEngine; datasets: DatasetStore }> | undefined

  constructor(
    readonly workspace: string,
    readonly registry: ConnectorRegistry = builtinConnectors(),
    private readonly engineOptions: DuckDBEngineOptions = {},
  ) {}

  async datasets(): Promise<DatasetStore> {
    return (await this.open()).datasets
  }

  /** The shared DuckDB engine (checks and ops run their SQL on it). */
  async engine(): Promise<DuckDBEngine> {
    return (await this.open()).engine
  }

  private open(): Promise<{ engine: DuckDBEngine; datasets: DatasetStore }> {
    this.opened ??= DuckDBEngine.open({ workspaceDir: this.workspace, ...this.engineOptions }).then(
      (engine) => ({
        engine,
        datasets: new DatasetStore(join(this.workspace, 'datasets'), engine),
      }),
    )
    return this.opened
  }

  async close(): Promise<void> {
    if (this.opened) await (await this.opened).engine.close()
    this.opened = undefined
  }
}
