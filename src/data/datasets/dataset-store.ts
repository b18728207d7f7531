import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { SluiceError } from '../../core/sluice-error.js'
import type { ColumnType, TableSchema } from '../column-type.js'
import { DEFAULT_BATCH_ROWS, type RowBatch } from '../row-batch.js'
import { appendColumns } from '../duckdb/append-columns.js'
import { appendRows } from '../duckdb/append-rows.js'
import { isColumnar } from '../duckdb/columnar-row-batch.js'
import { canStreamCsv, duckdbCsvStream, type DuckDBCsvStream } from '../duckdb/duckdb-csv-stream.js'
import type { DuckDBEngine } from '../duckdb/duckdb-engine.js'
import { duckdbTypeName } from '../duckdb/duckdb-type-name.js'
import { quoteIdentifier } from '../duckdb/quote-identifier.js'
import { quoteLiteral } from '../duckdb/quote-literal.js'

export interface DatasetInfo {
  /** Absolute path of the Parquet file. */
  readonly path: string
  readonly schema: TableSchema
  readonly rowCount: number
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

function segment(what: string, value: string): string {
  if (!SEGMENT.test(value) || value.includes('..')) {
    throw new SluiceError(
      'E_INTERNAL',
      `invalid ${what} for a dataset path: ${JSON.stringify(value)}`,
    )
  }
  return value
}

/**
 * Datasets as Parquet (zstd) under `<root>/<runId>/<taskId>/data.parquet` (DESIGN.md §2). Writes are
 * atomic (a `.tmp-…` file renamed into place) and hold at most one batch in JS: rows go through a
 * DuckDB appender into a temporary table (which spills to disk past `memory_limit`), then `COPY`.
 */
export class DatasetStore {
  readonly root: string

  /**
   * @param partRows rows staged in DuckDB before they are moved to a part file (bounds memory);
   *   the parts are merged into `data.parquet` at the end.
   */
  constructor(
    root: string,
    private readonly engine: DuckDBEngine,
    private readonly partRows = 250_000,
  ) {
    this.root = resolve(root)
  }

  dir(runId: string, taskId: string): string {
    return join(this.root, segment('run id', runId), segment('task id', taskId))
  }

  path(runId: string, taskId: string): string {
    return join(this.dir(runId, taskId), 'data.parquet')
  }

  exists(runId: string, taskId: string): boolean {
    return existsSync(this.path(runId, taskId))
  }

  /** A SQL table expression reading the dataset, usable as a view: `read_parquet('…')`. */
  sqlRef(runId: string, taskId: string): string {
    return `read_parquet(${quoteLiteral(this.path(runId, taskId))})`
  }

  /**
   * Writes batches as the dataset of (runId, taskId), replacing any earlier one. `schema` is
   * needed only when there may be no batch at all; otherwise the first batch's schema is used.
   */
  async write(
    runId: string,
    taskId: string,
    batches: AsyncIterable<RowBatch> | Iterable<RowBatch>,
    schema?: TableSchema,
    file = 'data.parquet',
  ): Promise<DatasetInfo> {
    segment('file name', file)
    const dir = this.dir(runId, taskId)
    await mkdir(dir, { recursive: true })
    const id = randomUUID().replaceAll('-', '')
    const table = `_sluice_ds_${id}`
    const parts: string[] = []
    const c = await this.engine.connect()
    let created: TableSchema | undefined
    let types: ColumnType[] | undefined
    let appender: Awaited<ReturnType<typeof c.createAppender>> | undefined
    let rowCount = 0
    let inTable = 0
    const create = async (s: TableSchema): Promise<void> => {
      if (s.columns.length === 0) {
        throw new SluiceError('E_TASK_FAILED', `dataset ${taskId} has no columns`, {
          retryable: false,
        })
      }
      const cols = s.columns
        .map((col) => `${quoteIdentifier(col.name)} ${duckdbTypeName(col.type)}`)
        .join(', ')
      await c.run(`CREATE TABLE ${table} (${cols})`)
      appender = await c.createAppender(table)
      created = s
      types = s.columns.map((col) => col.type)
    }
    // Moves the staged rows to a Parquet part file so that the table never grows large. Parts
    // are temporary (merged below), so they use snappy, much cheaper to write than zstd.
    const flushPart = async (): Promise<void> => {
      appender!.closeSync()
      appender = undefined
      const part = join(dir, `.tmp-${id}-part-${parts.length}.parquet`)
      parts.push(part)
      await c.run(
        `COPY ${table} TO ${quoteLiteral(part)} (FORMAT parquet, COMPRESSION snappy); TRUNCATE ${table}`,
      )
      appender = await c.createAppender(table)
      inTable = 0
    }
    try {
      for await (const batch of batches) {
        if (created === undefined) await create(schema ?? batch.schema)
        const n = isColumnar(batch) ? batch.rowCount : batch.rows.length
        if (n === 0) continue
        if (isColumnar(batch)) appendColumns(appender!, types!, batch.vectors, n)
        else appendRows(appender!, created!, batch.rows)
        appender!.flushSync()
        rowCount += n
        inTable += n
        if (inTable >= this.partRows) await flushPart()
      }
      if (created === undefined) {
        if (schema === undefined) {
          throw new SluiceError(
            'E_TASK_FAILED',
            `dataset ${taskId} received no rows and no schema, so it cannot be written`,
            { retryable: false },
          )
        }
        await create(schema)
      }
      if (parts.length > 0 && inTable > 0) await flushPart()
      appender!.closeSync()
      appender = undefined
      // One scan over the part files in order keeps the rows in the order they arrived.
      const sql =
        parts.length === 0
          ? `SELECT * FROM ${table}`
          : `SELECT * FROM read_parquet([${parts.map(quoteLiteral).join(', ')}])`
      const info = await this.copyToDataset(c, sql, dir, file)
      return { ...info, schema: created!, rowCount }
    } finally {
      try {
        appender?.closeSync()
      } catch {
        // the appender may already be invalid after an error
      }
      if (created !== undefined) await c.run(`DROP TABLE IF EXISTS ${table}`).catch(() => {})
      this.engine.release(c)
      await Promise.all(parts.map((p) => rm(p, { force: true })))
    }
  }

  /** The fast path: writes the result of a DuckDB query as the dataset, without a JS row loop. */
  async writeQuery(runId: string, taskId: string, sql: string): Promise<DatasetInfo> {
    const dir = this.dir(runId, taskId)
    await mkdir(dir, { recursive: true })
    const c = await this.engine.connect()
    try {
      const { path, rowCount } = await this.copyToDataset(c, sql, dir)
      const schema = await this.engine.schemaOf(`SELECT * FROM read_parquet(${quoteLiteral(path)})`)
      return { path, schema, rowCount }
    } finally {
      this.engine.release(c)
    }
  }

  private async copyToDataset(
    c: Awaited<ReturnType<DuckDBEngine['connect']>>,
    sql: string,
    dir: string,
    file = 'data.parquet',
  ): Promise<{ path: string; rowCount: number }> {
    const final = join(dir, file)
    const tmp = join(dir, `.tmp-${randomUUID()}.parquet`)
    try {
      const r = await c.run(
        `COPY (${sql}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
      )
      const rowCount = r.rowsChanged
      await rename(tmp, final)
      return { path: final, rowCount }
    } catch (e) {
      await rm(tmp, { force: true })
      throw e
    }
  }

  /** Streams the dataset's rows in batches. */
  read(
    runId: string,
    taskId: string,
    batchRows: number = DEFAULT_BATCH_ROWS,
  ): AsyncIterable<RowBatch> {
    this.mustExist(runId, taskId)
    return this.engine.stream(`SELECT * FROM ${this.sqlRef(runId, taskId)}`, batchRows)
  }

  /**
   * The dataset's rows as a CSV byte stream (see `BulkCsv`) for a destination's `writeCsv`;
   * undefined where there are no named pipes.
   */
  async csvStream(
    runId: string,
    taskId: string,
    signal: AbortSignal,
  ): Promise<DuckDBCsvStream | undefined> {
    if (!canStreamCsv) return undefined
    this.mustExist(runId, taskId)
    const sql = `SELECT * FROM ${this.sqlRef(runId, taskId)}`
    return duckdbCsvStream(this.engine, sql, await this.engine.schemaOf(sql), {
      signal,
      tempDir: this.root,
    })
  }

  /** Schema and row count, from the Parquet metadata. */
  async describe(
    runId: string,
    taskId: string,
  ): Promise<{ schema: TableSchema; rowCount: number }> {
    this.mustExist(runId, taskId)
    const ref = this.sqlRef(runId, taskId)
    const schema = await this.engine.schemaOf(`SELECT * FROM ${ref}`)
    const { rows } = await this.engine.all(`SELECT count(*) FROM ${ref}`)
    return { schema, rowCount: Number(rows[0]?.[0] ?? 0) }
  }

  /**
   * Makes a Parquet file written by `produce` (at the temporary path it is given) the dataset of
   * (runId, taskId), atomically: the file is renamed into place only when `produce` succeeds.
   */
  async adopt(
    runId: string,
    taskId: string,
    produce: (tmpPath: string) => Promise<unknown>,
  ): Promise<DatasetInfo> {
    const dir = this.dir(runId, taskId)
    await mkdir(dir, { recursive: true })
    const tmp = join(dir, `.tmp-${randomUUID()}.parquet`)
    try {
      await produce(tmp)
      await rename(tmp, this.path(runId, taskId))
    } finally {
      await rm(tmp, { force: true })
    }
    return { path: this.path(runId, taskId), ...(await this.describe(runId, taskId)) }
  }

  /** The run id of the newest other run that kept a dataset for `taskId` (for schema diffs). */
  async previousRun(runId: string, taskId: string): Promise<string | undefined> {
    const runs = await readdir(this.root).catch(() => [] as string[])
    let best: { id: string; at: number } | undefined
    for (const id of runs) {
      if (id === runId || !SEGMENT.test(id)) continue
      const at = await stat(this.path(id, taskId)).then(
        (s) => s.mtimeMs,
        () => undefined,
      )
      if (at !== undefined && (best === undefined || at > best.at)) best = { id, at }
    }
    return best?.id
  }

  /** Deletes every dataset of a run (prune). */
  async remove(runId: string): Promise<void> {
    await rm(join(this.root, segment('run id', runId)), { recursive: true, force: true })
  }

  private mustExist(runId: string, taskId: string): void {
    if (!this.exists(runId, taskId)) {
      throw new SluiceError(
        'E_STATE_NOT_FOUND',
        `no dataset for task ${taskId} in run ${runId} (${this.path(runId, taskId)})`,
      )
    }
  }
}
