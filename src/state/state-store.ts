import type { RunState } from '../core/state/run-state.js'
import type { TaskState } from '../core/state/task-state.js'
import type {
  CheckResultFilter,
  CheckResultRecord,
  DeadLetterRecord,
  ErrorInfo,
  EventRecord,
  FireFilter,
  FireOutcome,
  FireRecord,
  JsonValue,
  LogRecord,
  LogStream,
  NewCheckResult,
  NewDeadLetter,
  NewEvent,
  NewRun,
  OrphanRecord,
  PipelineVersionRecord,
  PruneResult,
  RunFilter,
  RunRecord,
  ScheduleRecord,
  TaskRecord,
  TaskTransitionOptions,
} from './records.js'

/**
 * Where runs, task attempts, logs, checkpoints, watermarks, dead letters and audit events live
 * (DESIGN.md §6). Every state change is a compare-and-set: it names the state it expects to
 * find and fails with E_STATE_TRANSITION when the row is elsewhere, leaving it unchanged. Every
 * transition writes an audit event in the same transaction. Error messages, log text, params,
 * dead-letter inputs and event data go through the store's SecretMask before they are written.
 */
export interface StateStore {
  /** Idempotent by (pipeline, hash); returns the version number (1, 2, … per pipeline). */
  savePipelineVersion(input: { pipeline: string; hash: string; source: string }): Promise<number>
  getPipelineVersion(pipeline: string, hash: string): Promise<PipelineVersionRecord | undefined>

  /** Creates the run QUEUED and one PENDING attempt-0 row per task. E_STATE_CONFLICT if the id exists. */
  createRun(run: NewRun): Promise<RunRecord>
  getRun(id: string): Promise<RunRecord | undefined>
  /** Newest first. */
  listRuns(filter?: RunFilter): Promise<RunRecord[]>
  /** Compare-and-set; sets startedAt (→RUNNING, and the heartbeat) or finishedAt (→terminal). */
  transitionRun(
    id: string,
    from: RunState,
    to: RunState,
    at: Date,
    error?: ErrorInfo,
  ): Promise<void>
  /** Asks the process running the run to cancel it (it polls); recorded as an audit event. */
  requestCancel(runId: string, at: Date, actor: string): Promise<void>
  /** Records that `owner` (`host:pid`) is alive and executing the run. */
  heartbeat(runId: string, owner: string, at: Date): Promise<void>
  /** RUNNING runs whose heartbeat (or, without one, creation) is older than `olderThan`. */
  findOrphans(olderThan: Date): Promise<OrphanRecord[]>

  /** QUEUED → RUNNING for the task's current attempt; returns the attempt number. */
  startAttempt(runId: string, taskId: string, at: Date): Promise<number>
  /**
   * Compare-and-set on the task's current state. RETRYING → QUEUED opens the next attempt;
   * → RUNNING stamps startedAt; → RETRYING or a terminal state stamps finishedAt, the error and
   * the metrics (durationMs defaults to finishedAt − startedAt).
   */
  transitionTask(
    runId: string,
    taskId: string,
    from: TaskState,
    to: TaskState,
    options: TaskTransitionOptions,
  ): Promise<void>
  /** In declaration order, each with its attempt history. */
  listTasks(runId: string): Promise<TaskRecord[]>
  /** New PENDING attempt (n+1) for every FAILED, CANCELLED or SKIPPED task; returns their ids. */
  resetForResume(runId: string, at?: Date): Promise<string[]>

  appendLog(
    runId: string,
    taskId: string,
    attempt: number,
    stream: LogStream,
    text: string,
    at?: Date,
  ): Promise<void>
  /** Oldest first; with `afterId`, only the lines after that one (for following a run). */
  readLogs(runId: string, taskId?: string, afterId?: number): Promise<LogRecord[]>

  saveCheckpoint(runId: string, taskId: string, key: string, value: JsonValue): Promise<void>
  loadCheckpoint(runId: string, taskId: string, key: string): Promise<JsonValue | undefined>
  /** Call when the task succeeded; returns how many were removed. */
  clearCheckpoints(runId: string, taskId: string): Promise<number>

  getWatermark(pipeline: string, key: string): Promise<JsonValue | undefined>
  setWatermark(pipeline: string, key: string, value: JsonValue): Promise<void>

  addDeadLetter(entry: NewDeadLetter): Promise<number>
  /** Oldest first; requeued entries included (see `requeuedAt`). */
  listDeadLetters(): Promise<DeadLetterRecord[]>
  getDeadLetter(id: number): Promise<DeadLetterRecord | undefined>
  markRequeued(id: number, at?: Date): Promise<void>
  /** Deletes the given entries, or all of them; returns how many. */
  purgeDeadLetters(ids?: readonly number[]): Promise<number>

  recordEvent(event: NewEvent): Promise<number>
  /** Oldest first. */
  listEvents(runId: string): Promise<EventRecord[]>

  /** Deletes finished runs (finishedAt < olderThan) with their tasks, attempts, logs, checkpoints, events. */
  prune(olderThan: Date, pipeline?: string): Promise<PruneResult>

  /** Stores the outcomes of a task's quality checks (messages and samples masked). */
  recordCheckResults(results: readonly NewCheckResult[]): Promise<void>
  /** Check outcomes of a run (in the order they ran), or a pipeline's history, newest first. */
  listCheckResults(filter: CheckResultFilter): Promise<CheckResultRecord[]>

  /**
   * Claims the fire of `pipeline` due at `dueAt` with `outcome` (usually `claimed`). Exactly one
   * caller across all processes gets true for a (pipeline, dueAt); everyone else gets false.
   */
  claimFire(pipeline: string, dueAt: Date, outcome: FireOutcome, at: Date): Promise<boolean>
  /**
   * Compare-and-set on a fire's outcome (e.g. claimed → started with its run id, queued →
   * started); false when the fire is not in `from` (someone else moved it first).
   */
  settleFire(
    pipeline: string,
    dueAt: Date,
    from: FireOutcome,
    to: FireOutcome,
    at: Date,
    runId?: string,
  ): Promise<boolean>
  listFires(pipeline: string, filter?: FireFilter): Promise<FireRecord[]>
  /** Counts of a pipeline's fires by outcome (outcomes with none are absent). */
  countFires(pipeline: string): Promise<Partial<Record<FireOutcome, number>>>

  getSchedule(pipeline: string): Promise<ScheduleRecord | undefined>
  /** Pauses or resumes a pipeline's schedule, with an audit event `schedule:pause|resume`. */
  setSchedulePaused(
    pipeline: string,
    paused: boolean,
    options: { reason?: string; actor: string; at: Date },
  ): Promise<ScheduleRecord>
  /** Every pipeline that was ever paused or resumed, by name. */
  listSchedules(): Promise<ScheduleRecord[]>

  /**
   * Event-trigger dedupe: true for the first claim of (pipeline, key), false for every repeat.
   * Attach the run afterwards with `setTriggerRun`.
   */
  claimTriggerKey(pipeline: string, key: string, at: Date): Promise<boolean>
  setTriggerRun(pipeline: string, key: string, runId: string): Promise<void>
  /** The run started for a trigger key: undefined when never claimed, null when claimed without a run. */
  getTriggerRun(pipeline: string, key: string): Promise<string | null | undefined>

  close(): Promise<void>
}
