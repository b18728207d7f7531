import type { Readable } from 'node:stream'
import type { z } from 'zod'
import type { TableSchema } from './column-type.js'
import type { RowBatch } from './row-batch.js'

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
  log(text: string): void
}

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

/** An input record a source could not read: where it was, why, and its raw text. */
export interface RejectedRecord {
  readonly file: string
  /** 1-based line in the file (the header is line 1). */
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
  log(text: string): void
}

export interface WriteResult {
  readonly rowsWritten: number
  readonly rowsRejected: number
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
}
