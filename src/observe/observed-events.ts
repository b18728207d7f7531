/**
 * The shapes src/observe consumes, declared here structurally (observe may import core only):
 * they match the engine's RunEventMap payloads and the state store's records, so the wiring code
 * passes those straight in.
 */

export type RunStateName = 'QUEUED' | 'RUNNING' | 'SUCCESS' | 'FAILED' | 'CANCELLED'
export type TaskStateName =
  'PENDING' | 'QUEUED' | 'RUNNING' | 'RETRYING' | 'SUCCESS' | 'FAILED' | 'SKIPPED' | 'CANCELLED'

/** An error as events and records carry it. */
export interface ObservedError {
  readonly code: string
  readonly message: string
}

/** A run as the state store lists it (RunRecord fields used here). */
export interface ObservedRun {
  readonly id: string
  readonly pipeline: string
  readonly state: string
  readonly createdAt?: string
  readonly startedAt: string | null
  readonly finishedAt: string | null
}

/** One attempt of a task (AttemptRecord fields used here). */
export interface ObservedAttempt {
  readonly attempt: number
  readonly state: string
  readonly durationMs: number | null
  readonly rowsIn: number | null
  readonly rowsOut: number | null
  readonly bytes: number | null
  readonly outputs?: unknown
}

/** A task of a run with its attempts (TaskRecord fields used here). */
export interface ObservedTask {
  readonly runId: string
  readonly taskId: string
  readonly state: string
  readonly attempts: readonly ObservedAttempt[]
}
