import type { TableSchema, Value } from '../../data/column-type.js'
import type { RowBatch } from '../../data/row-batch.js'

/** One record as a transform function sees it: column name → value (column-type.ts conventions). */
export type Row = Record<string, Value>

/** What a transform function gets as its second argument: plain data plus a logger. */
export interface TransformContext {
  readonly params: Readonly<Record<string, unknown>>
  readonly taskId: string
  readonly runId: string
  /** A line for the task log. */
  log(text: string): void
}

/**
 * How the function is called. `row`: `map(row, ctx)` → row | null/undefined (drop) | row[]
 * (fan-out). `batch`: `transform(rows, ctx)` → rows (may be async). `stream`:
 * `async function* transform(batches, ctx)` yielding rows arrays.
 */
export type TransformMode = 'row' | 'batch' | 'stream'

/** What to do with a record whose function call throws. */
export type OnRecordError = 'fail' | 'skip' | 'quarantine'

/** Functions handed over directly by a TypeScript pipeline definition (run in-process). */
export interface InlineTransform {
  readonly map?: (row: Row, ctx: TransformContext) => unknown
  readonly transform?: (input: never, ctx: TransformContext) => unknown
}

export interface CodeTransformOptions {
  /** Absolute path of a .ts/.mts/.js/.mjs module; it runs in a worker thread of its own. */
  readonly module?: string
  /** The export to call instead of `map` / `transform` / `default`. */
  readonly exportName?: string
  /**
   * Functions passed directly (TS pipelines). They run in the calling thread with NO isolation:
   * a synchronous endless loop cannot be stopped by `timeoutMs` or `signal`, and memory is the
   * process's. Use `module` for untrusted or heavy code.
   */
  readonly inline?: InlineTransform
  /** Overrides the mode the export's name and kind suggest (see loadTransformFunction). */
  readonly mode?: TransformMode
  /**
   * Declared output columns. Output rows are cast to it (castValue); an undeclared column or a
   * value that does not cast fails with E_SCHEMA_DRIFT. Without it the schema is inferred.
   */
  readonly schema?: TableSchema
  readonly input: AsyncIterable<RowBatch>
  readonly onError: OnRecordError
  /** Rejected records tolerated under skip/quarantine before the run fails; default unlimited. */
  readonly maxBadRows?: number
  /** Wall clock for the whole run; the worker is terminated when it is exceeded. ≤ 0 or ≥ 2^31 ms: none. */
  readonly timeoutMs: number
  /** The worker's `resourceLimits.maxOldGenerationSizeMb`; default 512. */
  readonly memoryMb?: number
  /** Cancellation: the worker is terminated at once. */
  readonly signal?: AbortSignal
  readonly ctx: {
    readonly params: Readonly<Record<string, unknown>>
    readonly taskId: string
    readonly runId: string
  }
  readonly log: (text: string) => void
}

/** A record the function threw on, kept for the quarantine dataset. */
export interface CodeTransformReject {
  /** 1-based number of the input record across all input batches. */
  readonly row: number
  /** The error message. */
  readonly reason: string
  /** JSON object of the input record (bigint as string, binary as base64). */
  readonly raw: string
}

export interface CodeTransformRun {
  /**
   * The output rows, to be iterated once. Every batch carries the same schema (see
   * createOutputSchemaSettler). Nothing runs until iteration starts; leaving the loop early stops the
   * worker.
   */
  readonly batches: AsyncIterable<RowBatch>
  /** Records rejected so far (under skip and quarantine alike; the caller decides what to keep). */
  rejects(): readonly CodeTransformReject[]
  /** The output schema: declared, or settled by the first output batch; `{ columns: [] }` if no row came out. */
  schema(): TableSchema
}

export const DEFAULT_TRANSFORM_MEMORY_MB = 512
