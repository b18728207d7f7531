import type { TaskSpec } from '../core/spec/pipeline-spec.js'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** What a task sees while it runs: identity, params, cancellation, logs and durable progress. */
export interface TaskContext {
  readonly runId: string
  readonly pipeline: string
  readonly taskId: string
  /** 1 for the first try, 2 for the first retry, … */
  readonly attempt: number
  readonly task: TaskSpec
  readonly params: Readonly<Record<string, unknown>>
  /** Aborted on timeout, cancellation or SIGINT: stop promptly and throw. */
  readonly signal: AbortSignal
  /** Directory of the pipeline file; relative paths resolve against it. */
  readonly baseDir: string
  /** JSON outputs of upstream tasks, by task id. */
  readonly upstream: Readonly<Record<string, Json | undefined>>
  log(text: string, stream?: 'stdout' | 'stderr' | 'info'): void
  /** Progress that survives a retry or a resume of this task (cleared when it succeeds). */
  readonly checkpoint: {
    save(key: string, value: Json): Promise<void>
    load<T extends Json = Json>(key: string): Promise<T | undefined>
  }
  /** Add to the task's metrics (rows in/out, bytes). */
  metric(name: 'rows_in' | 'rows_out' | 'bytes', value: number): void
  /** Stores the outcomes of quality checks with this attempt (charted over runs). */
  recordChecks(results: readonly CheckOutcome[]): Promise<void>
}

/** One quality check's outcome, as a task reports it. */
export interface CheckOutcome {
  readonly name: string
  readonly type: string
  readonly severity: 'error' | 'warn'
  readonly status: 'pass' | 'fail'
  readonly failing: number
  readonly total: number
  readonly message: string
  readonly sample: readonly { readonly [key: string]: Json }[]
}

/** What a finished task hands on: small JSON outputs for downstream tasks. */
export interface TaskOutcome {
  readonly outputs?: Json
}

/** Runs one task type. Executors are data in a registry, looked up by `type`. */
export interface TaskExecutor {
  readonly type: string
  execute(ctx: TaskContext): Promise<TaskOutcome>
}
