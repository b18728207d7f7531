import type { Readable } from 'node:stream'
import type { z } from 'zod'
import type { TableSchema } from './column-type.js'
import type { RowBatch } from './row-batch.js'
import type { SluiceError } from '../core/sluice-error.js'

/** What a connector can do, as data the engine branches on (never instanceof checks). */
export interface ConnectorCapabilities {
  readonly source: boolean
  readonly destination: boolean
  /** Can read only rows past a watermark. */
  readonly incremental: boolean
  /** Can upsert on keys (mode: merge). */
  readonly merge: boolean
  /** Can commit rows and the watermark atomically. */
  readonly transactions: boolean
  /** The fast bulk path it uses for loads. */
  readonly bulk: 'copy' | 'load-data' | 'multi-row-insert' | 'file' | 'none'
  /** Largest batch it accepts in one write. */
  readonly maxBatchRows: number
}

/** A connection as the connector receives it: the URL (secrets resolved) and its options. */
export interface ConnectionConfig {
  readonly name: string
  readonly url: string
  readonly options: Readonly<Record<string, unknown>>
}

/** A watermark kept per (pipeline, key) inside the destination, in `_sluice_state`. */
export interface WatermarkRef {
  readonly pipeline: string
  readonly key: string
}

export interface ReadContext {
  readonly signal: AbortSignal
  readonly batchRows: number
  /** For incremental reads: the last committed watermark (undefined on the first run). */
  readonly since?: unknown
  /**
   * Progress that survives a retry or a resume of this task (cleared when it succeeds): a source
   * with `checkpoints` saves where it is after each page, and starts there when `load` returns a
   * value. Given only when the rows read before a save are kept too (a staged extract).
   */
  readonly checkpoint?: {
    save(value: JsonValue): Promise<void>
    load(): Promise<JsonValue | undefined>
  }
  log(text: string): void
}

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/**
 * A source's rows as bytes: RFC 4180 CSV in UTF-8 with a header line, `,` and `"`, NULL as an empty
 * unquoted field and the empty string as `""`, values in their PostgreSQL-readable text forms
 * (ISO dates and timestamps, timestamptz with an offset, binary as `\x` hex). The stream fails
 * (never just ends) when the source fails, with the same error `read` would give.
 */
export interface BulkCsv {
  /** The columns, in the order of the header. */
  readonly schema: TableSchema
  readonly stream: Readable
}

/**
 * A record that could not be read or written: where it was, why, and its raw text. Sources name
 * the file and line; destinations name their table and the row's 1-based position in the load.
 */
export interface RejectedRecord {
  readonly file: string
  /** 1-based line in the file (the header is line 1), or row of the load input. */
  readonly line: number
  readonly reason: string
  readonly raw: string
}

/** Reads rows. `options` are the task's `source:` keys, validated by the connector's schema. */
export interface Source {
  /** The schema of what `read` will yield (may run a cheap query). */
  schema(ctx: ReadContext): Promise<TableSchema>
  read(ctx: ReadContext): AsyncIterable<RowBatch>
  /**
   * Optional fast path: the same rows as `read` as a CSV byte stream, without a JS row loop.
   * Undefined when this source cannot here (its options need rows in JS, or no named pipes).
   * Sources that offer it have no watermark; aborting `ctx.signal` stops the stream.
   */
  bulkCsv?(ctx: ReadContext): Promise<BulkCsv | undefined>
  /** After `read` finished: the highest watermark seen, to commit with the load. */
  watermark(): unknown
  /**
   * Optional: write what `read` would yield straight to a Parquet file with DuckDB (no JS row
   * loop), applying `on_error` the same way; returns the row count.
   */
  toParquet?(path: string, ctx: ReadContext): Promise<number>
  /**
   * True when `read` saves its position in `ReadContext.checkpoint` as it goes (page by page) and
   * resumes from it: the engine then keeps the rows read so far across a retry or resume.
   */
  readonly checkpoints?: boolean
  /** After `read`: records skipped under `on_error: skip | quarantine` (sources that can tell). */
  rejects?(): readonly RejectedRecord[]
  close(): Promise<void>
}

export type WriteMode = 'append' | 'replace' | 'merge' | 'truncate_insert'

export interface WriteContext {
  readonly signal: AbortSignal
  readonly schema: TableSchema
  readonly mode: WriteMode
  readonly keys?: readonly string[]
  /** Commit this watermark in the same transaction as the rows (exactly-once). */
  readonly watermark?: WatermarkRef & { readonly value: unknown }
  /**
   * Rows the database refuses (a NOT NULL, CHECK, unique or foreign-key violation, a value out of
   * range) are set aside and returned in `rejected` while the other rows load, instead of failing
   * the load; more than `max` still fails it (`E_ROWS_REJECTED`). Undefined: any refusal fails.
   */
  readonly rejects?: { readonly max: number }
  log(text: string): void
}

export interface WriteResult {
  readonly rowsWritten: number
  readonly rowsRejected: number
  /** With `ctx.rejects`: the rows set aside (`file` is the table, `line` the input row). */
  readonly rejected?: readonly RejectedRecord[]
}

/** Writes rows. `options` are the task's `destination:` keys. */
export interface Destination {
  write(ctx: WriteContext, batches: AsyncIterable<RowBatch>): Promise<WriteResult>
  /**
   * Optional fast path: writes a `BulkCsv` stream (`ctx.schema` is its schema) with the same
   * semantics as `write`: mode, schema evolution and watermark in one transaction.
   */
  writeCsv?(ctx: WriteContext, csv: Readable): Promise<WriteResult>
  /** The watermark committed with the last load (for incremental sources). */
  readWatermark(ref: WatermarkRef): Promise<unknown>
  close(): Promise<void>
}

export interface SqlRunContext {
  /** Aborted on timeout or cancellation: stop the running statement and roll back. */
  readonly signal: AbortSignal
  log(text: string): void
}

/** Where and why one statement of a script failed (the transaction was rolled back). */
export interface SqlStatementFailure {
  /** 0-based index of the failed statement. */
  readonly statement: number
  /** The database's error as a SluiceError: masked, retryable when another attempt may pass. */
  readonly error: SluiceError
  /** 0-based character offset in the statement, when the database tells (PostgreSQL). */
  readonly offset?: number
  /** 1-based line in the statement, when the database tells (MySQL "at line N"). */
  readonly line?: number
}

export type SqlRunResult =
  | { readonly ok: true; readonly rowsAffected: readonly number[] }
  | { readonly ok: false; readonly failure: SqlStatementFailure }

/**
 * Runs SQL inside the database (a `sql` task with `connection:`): all statements in order in one
 * transaction, committed together or rolled back together.
 */
export interface SqlRunner {
  /** Rows affected (or returned) per statement; a failed statement rolls back all of them. */
  run(statements: readonly string[], ctx: SqlRunContext): Promise<SqlRunResult>
  /** Masks this connection's secrets (its password) in text about to be shown. */
  mask(text: string): string
  close(): Promise<void>
}

/**
 * A connector: a factory plus narrow roles, its capabilities and config schemas. Third parties
 * register theirs with `registerConnector` from their own package.
 */
export interface Connector {
  readonly name: string
  /** URL schemes it handles (`postgres`, `postgresql`). */
  readonly schemes: readonly string[]
  readonly capabilities: ConnectorCapabilities
  readonly sourceOptions?: z.ZodType
  readonly destinationOptions?: z.ZodType
  createSource?(conn: ConnectionConfig, options: Readonly<Record<string, unknown>>): Source
  createDestination?(
    conn: ConnectionConfig,
    options: Readonly<Record<string, unknown>>,
  ): Destination
  /** Optional role: run SQL inside the database (push-down `sql` tasks). */
  createSqlRunner?(conn: ConnectionConfig): SqlRunner
}
