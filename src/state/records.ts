import type { RunState } from '../core/state/run-state.js'
import type { TaskState } from '../core/state/task-state.js'

/** Plain JSON, as stored in params, checkpoints, watermarks, dead-letter inputs and event data. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

/** An error as the store keeps it: code, message (masked before it is written) and retryable. */
export interface ErrorInfo {
  readonly code: string
  readonly message: string
  readonly retryable?: boolean
}

export interface PipelineVersionRecord {
  readonly pipeline: string
  readonly version: number
  readonly hash: string
  readonly source: string
  readonly createdAt: string
}

export interface NewRun {
  readonly id: string
  readonly pipeline: string
  readonly pipelineHash: string
  readonly params: JsonObject
  /** `manual`, `schedule`, `backfill`, `event`, … */
  readonly trigger: string
  readonly tasks: readonly { readonly taskId: string }[]
  /** `host:pid` of the process that will execute the run. */
  readonly owner?: string
  /** The pipeline file, so `resume` can find relative paths again. */
  readonly file?: string
  /** Defaults to now. */
  readonly at?: Date
  /** Groups the runs of one backfill (`sluice runs --group`). */
  readonly groupId?: string
  /** The due instant of the schedule fire (or backfill interval end) the run is for. */
  readonly scheduledFor?: Date
}

/** Timestamps in records are ISO-8601 strings (UTC, milliseconds). */
export interface RunRecord {
  readonly id: string
  readonly pipeline: string
  readonly pipelineHash: string
  readonly params: JsonObject
  readonly trigger: string
  readonly state: RunState
  readonly owner: string | null
  readonly heartbeatAt: string | null
  /** Set by `sluice cancel` (another process); the engine running the run polls for it. */
  readonly cancelRequestedAt: string | null
  /** The pipeline file the run was started from, for resume. */
  readonly file: string | null
  readonly createdAt: string
  readonly startedAt: string | null
  readonly finishedAt: string | null
  readonly error: ErrorInfo | null
  /** The backfill group, if any. */
  readonly groupId: string | null
  /** The due instant of the schedule fire the run is for, if any. */
  readonly scheduledFor: string | null
}

export interface RunFilter {
  readonly pipeline?: string
  readonly state?: RunState
  readonly groupId?: string
  /** Runs created for this due instant (exact match). */
  readonly scheduledFor?: Date
  /** Default 100. */
  readonly limit?: number
}

export interface AttemptMetrics {
  readonly rowsIn?: number
  readonly rowsOut?: number
  readonly bytes?: number
  readonly durationMs?: number
}

export interface AttemptRecord {
  readonly attempt: number
  readonly state: TaskState
  readonly createdAt: string
  readonly startedAt: string | null
  readonly finishedAt: string | null
  readonly error: ErrorInfo | null
  readonly rowsIn: number | null
  readonly rowsOut: number | null
  readonly bytes: number | null
  readonly durationMs: number | null
  /** JSON outputs of a successful attempt, handed to downstream tasks (and reused on resume). */
  readonly outputs: JsonValue | null
}

export interface TaskRecord {
  readonly runId: string
  readonly taskId: string
  readonly state: TaskState
  /** The current attempt number (0 for the first). */
  readonly attempt: number
  readonly updatedAt: string
  /** Every attempt, oldest first. */
  readonly attempts: readonly AttemptRecord[]
}

export interface TaskTransitionOptions {
  readonly at: Date
  readonly error?: ErrorInfo
  readonly metrics?: AttemptMetrics
  /** Stored with the attempt when it goes to SUCCESS. */
  readonly outputs?: JsonValue
}

export interface OrphanRecord {
  readonly runId: string
  readonly pipeline: string
  readonly owner: string | null
  readonly heartbeatAt: string | null
  /** The attempts still marked RUNNING. */
  readonly attempts: readonly { readonly taskId: string; readonly attempt: number }[]
}

export type LogStream = 'stdout' | 'stderr' | 'log'

export interface LogRecord {
  readonly id: number
  readonly runId: string
  readonly taskId: string
  readonly attempt: number
  readonly stream: LogStream
  readonly text: string
  readonly at: string
}

export interface NewDeadLetter {
  readonly runId: string
  readonly taskId: string
  readonly attempt: number
  readonly error: ErrorInfo
  readonly inputs: JsonValue
  readonly at?: Date
}

export interface DeadLetterRecord {
  readonly id: number
  readonly runId: string
  readonly taskId: string
  readonly attempt: number
  readonly error: ErrorInfo
  readonly inputs: JsonValue
  readonly createdAt: string
  readonly requeuedAt: string | null
}

export interface NewEvent {
  readonly runId?: string
  /** `run:state`, `task:state`, `run:created`, `dlq.requeued`, … */
  readonly type: string
  /** Who did it: `engine`, `cli:alice`, `api`, … */
  readonly actor: string
  readonly at: Date
  readonly data: JsonObject
}

export interface EventRecord {
  readonly id: number
  readonly runId: string | null
  readonly type: string
  readonly actor: string
  readonly at: string
  readonly data: JsonObject
}

/** One quality check's outcome in one task attempt (`check` tasks and inline `checks:`). */
export interface NewCheckResult {
  readonly runId: string
  readonly pipeline: string
  readonly taskId: string
  readonly attempt: number
  readonly name: string
  readonly type: string
  readonly severity: 'error' | 'warn'
  readonly status: 'pass' | 'fail'
  /** Rows that failed the check (row_count and freshness: 1 when failing). */
  readonly failing: number
  /** Rows checked. */
  readonly total: number
  readonly message: string
  /** A few failing rows, JSON-safe. */
  readonly sample: JsonValue[]
  readonly at: Date
}

export interface CheckResultRecord extends Omit<NewCheckResult, 'at'> {
  readonly id: number
  readonly at: string
}

export interface CheckResultFilter {
  readonly runId?: string
  readonly pipeline?: string
  readonly taskId?: string
  readonly name?: string
  /** At most this many (default 1000): newest first, or in the order they ran for a run. */
  readonly limit?: number
}

export interface PruneResult {
  readonly runs: number
  readonly tasks: number
  readonly attempts: number
  readonly logs: number
  readonly checkpoints: number
  readonly events: number
  readonly checks: number
}

/** A pipeline's runtime schedule switch; absent means enabled as its definition says. */
export interface ScheduleRecord {
  readonly pipeline: string
  readonly paused: boolean
  /** Why it was paused (kept after a resume until the next pause). */
  readonly reason: string | null
  /** When it was last paused or resumed; after a resume, fires are computed from here. */
  readonly updatedAt: string
  /** Who paused or resumed it: `cli:alice`, `api`, … */
  readonly updatedBy: string
}

/**
 * What became of one due instant of a schedule. `claimed` is transient: the claimer is creating
 * the run; `queued` waits for the pipeline's active run to end (overlap: queue).
 */
export type FireOutcome = 'claimed' | 'started' | 'skipped' | 'queued' | 'cancelled'

export interface FireRecord {
  readonly pipeline: string
  /** ISO instant the fire was due. */
  readonly dueAt: string
  readonly runId: string | null
  readonly outcome: FireOutcome
  /** When the outcome was last written. */
  readonly at: string
}

export interface FireFilter {
  readonly outcome?: FireOutcome
  /** Default 100; newest due first unless `oldestFirst`. */
  readonly limit?: number
  readonly oldestFirst?: boolean
}
