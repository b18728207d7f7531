import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type * as DuckDBApi from '@duckdb/node-api'
import type { DuckDBConnection, DuckDBInstance, DuckDBResult } from '@duckdb/node-api'
import type { TableSchema, Value } from '../column-type.js'
import { DEFAULT_BATCH_ROWS, type RowBatch } from '../row-batch.js'
import { duckdbColumnType } from './duckdb-column-type.js'
import { duckdbValueConverter } from './duckdb-value-converter.js'

export interface DuckDBEngineOptions {
  /** DuckDB `memory_limit`. Default `$SLUICE_DUCKDB_MEMORY_LIMIT`, else '512MB'. */
  readonly memoryLimit?: string
  /** DuckDB `threads`. Default `$SLUICE_DUCKDB_THREADS`, else 2. */
  readonly threads?: number
  /** Spill files go to `<workspace>/duckdb-tmp`; without it DuckDB's default (`.tmp`). */
  readonly workspaceDir?: string
  /** A database file; default in-memory. */
  readonly path?: string
}

const env = process.env

let apiPromise: Promise<typeof DuckDBApi> | undefined
/** Loads `@duckdb/node-api` once, on first use (it costs ~0.3 s). */
function loadApi(): Promise<typeof DuckDBApi> {
  apiPromise ??= import('@duckdb/node-api')
  return apiPromise
}

/** An in-process DuckDB: the compute engine of the data plane (DESIGN.md §2). */
export class DuckDBEngine {
  private closed = false
  private readonly connections = new Set<DuckDBConnection>()

  private constructor(
    readonly api: typeof DuckDBApi,
    private readonly instance: DuckDBInstance,
    private readonly main: DuckDBConnection,
  ) {}

  static async open(options: DuckDBEngineOptions = {}): Promise<DuckDBEngine> {
    const api = await loadApi()
    const config: Record<string, string> = {
      memory_limit: options.memoryLimit ?? (env.SLUICE_DUCKDB_MEMORY_LIMIT || '512MB'),
      threads: String(options.threads ?? (Number(env.SLUICE_DUCKDB_THREADS) || 2)),
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'true',
    }
    if (options.workspaceDir !== undefined) {
      const tmp = join(options.workspaceDir, 'duckdb-tmp')
      mkdirSync(tmp, { recursive: true })
      config.temp_directory = tmp
    }
    const instance = await api.DuckDBInstance.create(options.path ?? ':memory:', config)
    const main = await instance.connect()
    // timestamptz text (CSV/JSON output, casts without an offset) is in UTC, whatever TZ says.
    await main.run(`SET GLOBAL TimeZone = 'UTC'`)
    return new DuckDBEngine(api, instance, main)
  }

  /** A new connection on the same database (for concurrent work); closed with the engine. */
  async connect(): Promise<DuckDBConnection> {
    this.assertOpen()
    const c = await this.instance.connect()
    this.connections.add(c)
    return c
  }

  /** Releases a connection from `connect()`. */
  release(c: DuckDBConnection): void {
    if (this.connections.delete(c)) c.closeSync()
  }

  /** Runs SQL (one or more statements) on the main connection. */
  async run(sql: string): Promise<void> {
    this.assertOpen()
    await this.main.run(sql)
  }

  /** Runs a query and returns all its rows converted to our values (for small results). */
  async all(sql: string): Promise<{ schema: TableSchema; rows: Value[][] }> {
    let schema: TableSchema = { columns: [] }
    const rows: Value[][] = []
    for await (const b of this.stream(sql)) {
      schema = b.schema
      for (const r of b.rows) rows.push(r as Value[])
    }
    if (rows.length === 0) schema = await this.schemaOf(sql)
    return { schema, rows }
  }

  /** The schema of a query's result, without running it to completion. */
  async schemaOf(sql: string): Promise<TableSchema> {
    this.assertOpen()
    const c = await this.connect()
    try {
      const prepared = await c.prepare(sql)
      const n = prepared.columnCount
      const names = Array.from({ length: n }, (_, i) => prepared.columnName(i))
      const types = Array.from({ length: n }, (_, i) => prepared.columnType(i))
      prepared.destroySync()
      return schemaFrom(names, types)
    } finally {
      this.release(c)
    }
  }

  /**
   * Streams a query's rows as batches of `batchRows` (default 10,000), converting DuckDB values to
   * our conventions. Runs on its own connection unless `connection` is given; stopping the
   * iteration early interrupts the query.
   */
  async *stream(
    sql: string,
    batchRows: number = DEFAULT_BATCH_ROWS,
    connection?: DuckDBConnection,
  ): AsyncGenerator<RowBatch> {
    this.assertOpen()
    const c = connection ?? (await this.connect())
    let done = false
    try {
      const result: DuckDBResult = await c.stream(sql)
      const types = result.columnTypes()
      const schema = schemaFrom(result.columnNames(), types)
      const convert = types.map((t) => duckdbValueConverter(t, this.api))
      const width = convert.length
      let rows: Value[][] = []
      for (;;) {
        const chunk = await result.fetchChunk()
        if (chunk === null || chunk.rowCount === 0) break
        const n = chunk.rowCount
        const vectors = convert.map((_, i) => chunk.getColumnVector(i))
        for (let r = 0; r < n; r++) {
          const row = new Array<Value>(width)
          for (let i = 0; i < width; i++) row[i] = convert[i]!(vectors[i]!.getItem(r))
          rows.push(row)
          if (rows.length >= batchRows) {
            yield { schema, rows }
            rows = []
          }
        }
      }
      if (rows.length > 0) yield { schema, rows }
      done = true
    } finally {
      if (!done) c.interrupt()
      if (connection === undefined) this.release(c)
    }
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Closes every connection and the database. Safe to call twice. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.closed = true
    for (const c of this.connections) c.closeSync()
    this.connections.clear()
    this.main.closeSync()
    this.instance.closeSync()
    return Promise.resolve()
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the DuckDB engine is closed')
  }
}

function schemaFrom(names: readonly string[], types: readonly DuckDBApi.DuckDBType[]): TableSchema {
  return {
    columns: names.map((name, i) => ({
      name,
      type: duckdbColumnType(types[i]!),
      nullable: true,
    })),
  }
}
