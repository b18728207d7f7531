import type { MessagePort } from 'node:worker_threads'
import type { TableSchema, Value } from '../../data/column-type.js'
import type { CodeTransformReject, TransformMode } from './code-transform-options.js'

/**
 * The one piscina task of a partition worker (partition-worker.ts): it reads input rows
 * `[lo, hi)` of a Parquet file itself, runs the transform and writes its output as Parquet part
 * files itself, so that no record crosses the thread boundary. Everything else travels over
 * `port` (PartitionMessage).
 */
export interface PartitionWorkerTask {
  readonly port: MessagePort
  readonly module: string
  readonly exportName: string | undefined
  readonly mode: TransformMode | undefined
  /** Rejects after which the worker stops (the main thread enforces the run-wide limits). */
  readonly maxRejects: number
  readonly ctx: {
    readonly params: Readonly<Record<string, unknown>>
    readonly taskId: string
    readonly runId: string
  }
  /** The input Parquet file. */
  readonly input: string
  /** Records per input chunk (the batch size a batch-mode function sees). */
  readonly batchRows: number
  readonly declared: TableSchema | undefined
  /** Where this worker writes its part files (`<partDir>/<prefix>-<n>.parquet`) and spills. */
  readonly partDir: string
  readonly prefix: string
  /** Output rows staged in the worker's DuckDB before they go to a part file. */
  readonly partRows: number
  /** The worker's own DuckDB `memory_limit`. */
  readonly duckdbMemory: string
}

/**
 * Worker → main: `loaded` once the module is loaded (with its mode), then the main thread
 * answers `range`. Without a declared schema, the worker sends its first output chunk as a
 * `sample` and waits for the main thread's `schema` (settled from the first chunk of the run in
 * input order, so that every worker writes one and the same schema). `rejects` and `progress`
 * come as they happen; `done` lists the part files in order.
 */
export type PartitionMessage =
  | { readonly type: 'loaded'; readonly mode: TransformMode }
  | {
      readonly type: 'sample'
      readonly columns: readonly string[]
      readonly vectors: Value[][]
      readonly rowCount: number
      readonly inputSchema: TableSchema | undefined
    }
  | { readonly type: 'rejects'; readonly rejects: CodeTransformReject[] }
  | { readonly type: 'progress'; readonly rowsIn: number; readonly rowsOut: number }
  | { readonly type: 'log'; readonly text: string }
  | {
      readonly type: 'error'
      readonly code: string
      readonly message: string
      readonly hint: string | undefined
    }
  | { readonly type: 'done'; readonly parts: string[]; readonly rowCount: number }

/** Main → worker. `hi` < 0: to the end of the input. */
export type PartitionCommand =
  | { readonly type: 'range'; readonly lo: number; readonly hi: number }
  | { readonly type: 'schema'; readonly schema: TableSchema }
