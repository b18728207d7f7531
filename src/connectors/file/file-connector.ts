import type { ConnectionConfig, Connector } from '../../data/connector-contract.js'
import type { DuckDBEngineOptions } from '../../data/duckdb/duckdb-engine.js'
import { fileBaseDir } from './file-base-dir.js'
import { FileDestination } from './file-destination.js'
import { fileDestinationOptions, fileSourceOptions } from './file-options.js'
import { FileSource } from './file-source.js'

function engineOptions(conn: ConnectionConfig | undefined): DuckDBEngineOptions {
  const o = conn?.options ?? {}
  return {
    memoryLimit: typeof o.memory_limit === 'string' ? o.memory_limit : undefined,
    threads: typeof o.threads === 'number' ? o.threads : undefined,
    workspaceDir: typeof o.workspace === 'string' ? o.workspace : undefined,
  }
}

/**
 * Files (CSV, JSON, JSONL, Parquet; gzip/zstd; globs) read and written through DuckDB. Files need
 * no connection; a `file:///dir` connection sets the directory relative paths resolve against.
 */
export const fileConnector: Connector = {
  name: 'file',
  schemes: ['file'],
  capabilities: {
    source: true,
    destination: true,
    incremental: true,
    merge: false,
    transactions: false,
    bulk: 'file',
    maxBatchRows: 1_000_000,
  },
  sourceOptions: fileSourceOptions,
  destinationOptions: fileDestinationOptions,
  createSource: (conn, options) =>
    new FileSource(options, { baseDir: fileBaseDir(conn), engineOptions: engineOptions(conn) }),
  createDestination: (conn, options) =>
    new FileDestination(options, {
      baseDir: fileBaseDir(conn),
      engineOptions: engineOptions(conn),
    }),
}
