import { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'
import {
  assertRunTransition,
  TERMINAL_RUN_STATES,
  type RunState,
} from '../../core/state/run-state.js'
import {
  assertTaskTransition,
  RESUMABLE_TASK_STATES,
  type TaskState,
} from '../../core/state/task-state.js'
import { maskJson } from '../mask-json.js'
import type {
  AttemptRecord,
  CheckResultFilter,
  CheckResultRecord,
  DeadLetterRecord,
  ErrorInfo,
  EventRecord,
  FireFilter,
  FireOutcome,
  FireRecord,
  JsonObject,
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
} from '../records.js'
import type { StateStore } from '../state-store.js'
import type { SqlDriver, SqlExecutor } from './sql-driver.js'

type Row = Record<string, unknown>

const ACTOR = 'sluice'
/** States that end an attempt: its finishedAt, error and metrics are written then. */
const ENDS_ATTEMPT: ReadonlySet<TaskState> = new Set([
  'SUCCESS',
  'FAILED',
  'RETRYING',
  'SKIPPED',
  'CANCELLED',
])
const FINISHED_RUNS_SQL = `SELECT id FROM runs WHERE state IN (${[...TERMINAL_RUN_STATES]
  .map((s) => `'${s}'`)
  .join(', ')}) AND finished_at < ?`

const iso = (d: Date): string => d.toISOString()
function str(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint') return v.toString()
  throw new SluiceError('E_INTERNAL', `unexpected ${typeof v} in the state store`)
}
const strOrNull = (v: unknown): string | null => (v == null ? null : str(v))
const num = (v: unknown): number => Number(v)
const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v))

function errorOf(code: unknown, message: unknown, retryable?: unknown): ErrorInfo | null {
  if (code == null) return null
  const e = { code: str(code), message: str(message ?? '') }
  return retryable == null ? e : { ...e, retryable: Number(retryable) === 1 }
}

function toRun(r: Row): RunRecord {
  return {
    id: str(r.id),
    pipeline: str(r.pipeline),
    pipelineHash: str(r.pipeline_hash),
    params: JSON.parse(str(r.params)) as JsonObject,
    trigger: str(r.trigger_type),
    state: str(r.state) as RunState,
    owner: strOrNull(r.owner),
    heartbeatAt: strOrNull(r.heartbeat_at),
    cancelRequestedAt: strOrNull(r.cancel_requested_at),
    file: strOrNull(r.definition_path),
    createdAt: str(r.created_at),
    startedAt: strOrNull(r.started_at),
    finishedAt: strOrNull(r.finished_at),
    error: errorOf(r.error_code, r.error_message),
    groupId: strOrNull(r.group_id),
    scheduledFor: strOrNull(r.scheduled_for),
  }
}

function toSchedule(r: Row): ScheduleRecord {
  return {
    pipeline: str(r.pipeline),
    paused: Number(r.paused) === 1,
    reason: strOrNull(r.reason),
    updatedAt: str(r.updated_at),
    updatedBy: str(r.updated_by),
  }
}

function toFire(r: Row): FireRecord {
  return {
    pipeline: str(r.pipeline),
    dueAt: str(r.due_at),
    runId: strOrNull(r.run_id),
    outcome: str(r.outcome) as FireOutcome,
    at: str(r.at),
  }
}

function toAttempt(r: Row): AttemptRecord {
  return {
    attempt: num(r.attempt),
    state: str(r.state) as TaskState,
    createdAt: str(r.created_at),
    startedAt: strOrNull(r.started_at),
    finishedAt: strOrNull(r.finished_at),
    error: errorOf(r.error_code, r.error_message, r.retryable),
    rowsIn: numOrNull(r.rows_in),
    rowsOut: numOrNull(r.rows_out),
    bytes: numOrNull(r.bytes),
    durationMs: numOrNull(r.duration_ms),
    outputs: r.outputs == null ? null : (JSON.parse(str(r.outputs)) as JsonValue),
  }
}

function toDeadLetter(r: Row): DeadLetterRecord {
  return {
    id: num(r.id),
    runId: str(r.run_id),
    taskId: str(r.task_id),
    attempt: num(r.attempt),
    error: { code: str(r.error_code), message: str(r.error_message) },
    inputs: JSON.parse(str(r.inputs)) as JsonValue,
    createdAt: str(r.created_at),
    requeuedAt: strOrNull(r.requeued_at),
  }
}

export interface SqlStateStoreOptions {
  /** Secrets to keep out of the store; URL passwords are masked even without one. */
  readonly mask?: SecretMask
}

/**
 * The StateStore over any SqlDriver: all SQL here is portable between SQLite and PostgreSQL
 * (`?` placeholders, ON CONFLICT, RETURNING, text timestamps and JSON).
 */
export class SqlStateStore implements StateStore {
  protected readonly db: SqlDriver
  private readonly secrets: SecretMask

  protected constructor(db: SqlDriver, options: SqlStateStoreOptions = {}) {
    this.db = db
    this.secrets = options.mask ?? new SecretMask()
  }

  private mask(text: string): string {
    return this.secrets.mask(text)
  }

  private json(value: JsonValue): string {
    return JSON.stringify(maskJson(value, this.secrets))
  }

  private async event(tx: SqlExecutor, e: NewEvent): Promise<number> {
    const { rows } = await tx.query<Row>(
      'INSERT INTO events (run_id, type, actor, at, data) VALUES (?, ?, ?, ?, ?) RETURNING id',
      [e.runId ?? null, e.type, e.actor, iso(e.at), this.json(e.data)],
    )
    return num(rows[0]?.id)
  }

  // pipeline versions

  async savePipelineVersion(input: {
    pipeline: string
    hash: string
    source: string
  }): Promise<number> {
    // two writers may pick the same next version; the loser retries and finds its hash or the next number
    for (let tries = 0; ; tries++) {
      try {
        return await this.db.transaction(async (tx) => {
          const found = await tx.query<Row>(
            'SELECT version FROM pipeline_versions WHERE pipeline = ? AND hash = ?',
            [input.pipeline, input.hash],
          )
          if (found.rows[0]) return num(found.rows[0].version)
          const { rows } = await tx.query<Row>(
            'SELECT COALESCE(MAX(version), 0) + 1 AS v FROM pipeline_versions WHERE pipeline = ?',
            [input.pipeline],
          )
          const version = num(rows[0]?.v)
          await tx.query(
            'INSERT INTO pipeline_versions (pipeline, version, hash, source, created_at) VALUES (?, ?, ?, ?, ?)',
            [input.pipeline, version, input.hash, this.mask(input.source), iso(new Date())],
          )
          return version
        })
      } catch (e) {
        if (tries >= 4 || e instanceof SluiceError) throw e
      }
    }
  }

  async getPipelineVersion(
    pipeline: string,
    hash: string,
  ): Promise<PipelineVersionRecord | undefined> {
    const { rows } = await this.db.query<Row>(
      'SELECT * FROM pipeline_versions WHERE pipeline = ? AND hash = ?',
      [pipeline, hash],
    )
    const r = rows[0]
    if (!r) return undefined
    return {
      pipeline: str(r.pipeline),
      version: num(r.version),
      hash: str(r.hash),
      source: str(r.source),
      createdAt: str(r.created_at),
    }
  }

  // runs

  async createRun(run: NewRun): Promise<RunRecord> {
    const at = iso(run.at ?? new Date())
    await this.db.transaction(async (tx) => {
      const exists = await tx.query('SELECT 1 FROM runs WHERE id = ?', [run.id])
      if (exists.rows.length > 0) {
        throw new SluiceError('E_STATE_CONFLICT', `run ${run.id} already exists`)
      }
      await tx.query(
        `INSERT INTO runs (id, pipeline, pipeline_hash, params, trigger_type, state, owner, created_at,
           definition_path, group_id, scheduled_for)
         VALUES (?, ?, ?, ?, ?, 'QUEUED', ?, ?, ?, ?, ?)`,
        [
          run.id,
          run.pipeline,
          run.pipelineHash,
          this.json(run.params),
          run.trigger,
          run.owner ?? null,
          at,
          run.file ?? null,
          run.groupId ?? null,
          run.scheduledFor ? iso(run.scheduledFor) : null,
        ],
      )
      let seq = 0
      for (const t of run.tasks) {
        await tx.query(
          `INSERT INTO tasks (run_id, task_id, seq, state, attempt, updated_at) VALUES (?, ?, ?, 'PENDING', 0, ?)`,
          [run.id, t.taskId, seq++, at],
        )
        await tx.query(
          `INSERT INTO task_attempts (run_id, task_id, attempt, state, created_at) VALUES (?, ?, 0, 'PENDING', ?)`,
          [run.id, t.taskId, at],
        )
      }
      await this.event(tx, {
        runId: run.id,
        type: 'run:created',
        actor: ACTOR,
        at: new Date(at),
        data: {
          pipeline: run.pipeline,
          trigger: run.trigger,
          tasks: run.tasks.length,
          ...(run.groupId !== undefined && { groupId: run.groupId }),
          ...(run.scheduledFor && { scheduledFor: iso(run.scheduledFor) }),
        },
      })
    })
    const created = await this.getRun(run.id)
    if (!created) throw new SluiceError('E_INTERNAL', `run ${run.id} vanished after insert`)
    return created
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.db.query<Row>('SELECT * FROM runs WHERE id = ?', [id])
    return rows[0] ? toRun(rows[0]) : undefined
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const where: string[] = []
    const params: unknown[] = []
    if (filter.pipeline !== undefined) {
      where.push('pipeline = ?')
      params.push(filter.pipeline)
    }
    if (filter.state !== undefined) {
      where.push('state = ?')
      params.push(filter.state)
    }
    if (filter.groupId !== undefined) {
      where.push('group_id = ?')
      params.push(filter.groupId)
    }
    if (filter.scheduledFor !== undefined) {
      where.push('scheduled_for = ?')
      params.push(iso(filter.scheduledFor))
    }
    params.push(Math.max(0, Math.floor(filter.limit ?? 100)))
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      params,
    )
    return rows.map(toRun)
  }

  async transitionRun(
    id: string,
    from: RunState,
    to: RunState,
    at: Date,
    error?: ErrorInfo,
  ): Promise<void> {
    assertRunTransition(from, to)
    const when = iso(at)
    await this.db.transaction(async (tx) => {
      const set = ['state = ?']
      const params: unknown[] = [to]
      if (to === 'RUNNING') {
        set.push('started_at = COALESCE(started_at, ?)', 'heartbeat_at = ?', 'finished_at = NULL')
        params.push(when, when)
      }
      if (TERMINAL_RUN_STATES.has(to)) {
        set.push('finished_at = ?')
        params.push(when)
      }
      set.push('error_code = ?', 'error_message = ?')
      params.push(error?.code ?? null, error ? this.mask(error.message) : null)
      const { changes } = await tx.query(
        `UPDATE runs SET ${set.join(', ')} WHERE id = ? AND state = ?`,
        [...params, id, from],
      )
      if (changes !== 1) {
        const { rows } = await tx.query<Row>('SELECT state FROM runs WHERE id = ?', [id])
        if (!rows[0]) throw new SluiceError('E_STATE_NOT_FOUND', `run ${id} does not exist`)
        throw new SluiceError(
          'E_STATE_TRANSITION',
          `run ${id} is ${str(rows[0].state)}, not ${from}; cannot go to ${to}`,
          { hint: 'another process changed the run first; reload it' },
        )
      }
      await this.event(tx, {
        runId: id,
        type: 'run:state',
        actor: ACTOR,
        at,
        data: {
          from,
          to,
          ...(error ? { error: { code: error.code, message: error.message } } : {}),
        },
      })
    })
  }

  async requestCancel(runId: string, at: Date, actor: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { changes } = await tx.query(
        'UPDATE runs SET cancel_requested_at = COALESCE(cancel_requested_at, ?) WHERE id = ?',
        [iso(at), runId],
      )
      if (changes !== 1) throw new SluiceError('E_STATE_NOT_FOUND', `run ${runId} does not exist`)
      await this.event(tx, { runId, type: 'run:cancel', actor, at, data: {} })
    })
  }

  async heartbeat(runId: string, owner: string, at: Date): Promise<void> {
    const { changes } = await this.db.query(
      'UPDATE runs SET owner = ?, heartbeat_at = ? WHERE id = ?',
      [owner, iso(at), runId],
    )
    if (changes !== 1) throw new SluiceError('E_STATE_NOT_FOUND', `run ${runId} does not exist`)
  }

  async findOrphans(olderThan: Date): Promise<OrphanRecord[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM runs WHERE state = 'RUNNING' AND COALESCE(heartbeat_at, created_at) < ?
       ORDER BY created_at, id`,
      [iso(olderThan)],
    )
    const out: OrphanRecord[] = []
    for (const r of rows) {
      const attempts = await this.db.query<Row>(
        `SELECT task_id, attempt FROM tasks WHERE run_id = ? AND state = 'RUNNING' ORDER BY seq`,
        [r.id],
      )
      out.push({
        runId: str(r.id),
        pipeline: str(r.pipeline),
        owner: strOrNull(r.owner),
        heartbeatAt: strOrNull(r.heartbeat_at),
        attempts: attempts.rows.map((a) => ({ taskId: str(a.task_id), attempt: num(a.attempt) })),
      })
    }
    return out
  }

  // tasks

  async startAttempt(runId: string, taskId: string, at: Date): Promise<number> {
    return this.moveTask(runId, taskId, 'QUEUED', 'RUNNING', { at })
  }

  async transitionTask(
    runId: string,
    taskId: string,
    from: TaskState,
    to: TaskState,
    options: TaskTransitionOptions,
  ): Promise<void> {
    await this.moveTask(runId, taskId, from, to, options)
  }

  /** Compare-and-set on the task, then the attempt row and the audit event; returns the attempt. */
  private async moveTask(
    runId: string,
    taskId: string,
    from: TaskState,
    to: TaskState,
    { at, error, metrics, outputs }: TaskTransitionOptions,
  ): Promise<number> {
    assertTaskTransition(from, to, taskId)
    const when = iso(at)
    return this.db.transaction(async (tx) => {
      const moved = await tx.query<Row>(
        `UPDATE tasks SET state = ?, updated_at = ? WHERE run_id = ? AND task_id = ? AND state = ?
         RETURNING attempt`,
        [to, when, runId, taskId, from],
      )
      if (!moved.rows[0]) {
        const { rows } = await tx.query<Row>(
          'SELECT state FROM tasks WHERE run_id = ? AND task_id = ?',
          [runId, taskId],
        )
        if (!rows[0]) {
          throw new SluiceError(
            'E_STATE_NOT_FOUND',
            `task ${taskId} of run ${runId} does not exist`,
            {
              task: taskId,
            },
          )
        }
        throw new SluiceError(
          'E_STATE_TRANSITION',
          `task ${taskId} is ${str(rows[0].state)}, not ${from}; cannot go to ${to}`,
          { task: taskId, hint: 'another process changed the task first; reload it' },
        )
      }
      let attempt = num(moved.rows[0].attempt)
      if (from === 'RETRYING' && to === 'QUEUED') {
        attempt++
        await tx.query('UPDATE tasks SET attempt = ? WHERE run_id = ? AND task_id = ?', [
          attempt,
          runId,
          taskId,
        ])
        await tx.query(
          `INSERT INTO task_attempts (run_id, task_id, attempt, state, created_at) VALUES (?, ?, ?, 'QUEUED', ?)`,
          [runId, taskId, attempt, when],
        )
      } else {
        const set = ['state = ?']
        const params: unknown[] = [to]
        if (to === 'RUNNING') {
          set.push('started_at = ?')
          params.push(when)
        }
        if (ENDS_ATTEMPT.has(to) && from !== 'RETRYING') {
          const { rows } = await tx.query<Row>(
            'SELECT started_at FROM task_attempts WHERE run_id = ? AND task_id = ? AND attempt = ?',
            [runId, taskId, attempt],
          )
          const started = rows[0]?.started_at
          const duration =
            metrics?.durationMs ??
            (started == null ? null : at.getTime() - Date.parse(str(started)))
          set.push('finished_at = ?', 'duration_ms = ?')
          params.push(when, duration)
        }
        if (error) {
          set.push('error_code = ?', 'error_message = ?', 'retryable = ?')
          params.push(
            error.code,
            this.mask(error.message),
            error.retryable === undefined ? null : error.retryable ? 1 : 0,
          )
        }
        if (outputs !== undefined && to === 'SUCCESS') {
          set.push('outputs = ?')
          params.push(this.json(outputs))
        }
        if (metrics) {
          for (const [col, v] of [
            ['rows_in', metrics.rowsIn],
            ['rows_out', metrics.rowsOut],
            ['bytes', metrics.bytes],
          ] as const) {
            if (v !== undefined) {
              set.push(`${col} = ?`)
              params.push(v)
            }
          }
        }
        await tx.query(
          `UPDATE task_attempts SET ${set.join(', ')} WHERE run_id = ? AND task_id = ? AND attempt = ?`,
          [...params, runId, taskId, attempt],
        )
      }
      await this.event(tx, {
        runId,
        type: 'task:state',
        actor: ACTOR,
        at,
        data: {
          taskId,
          attempt,
          from,
          to,
          ...(error ? { error: { code: error.code, message: error.message } } : {}),
        },
      })
      return attempt
    })
  }

  async listTasks(runId: string): Promise<TaskRecord[]> {
    const tasks = await this.db.query<Row>('SELECT * FROM tasks WHERE run_id = ? ORDER BY seq', [
      runId,
    ])
    const attempts = await this.db.query<Row>(
      'SELECT * FROM task_attempts WHERE run_id = ? ORDER BY task_id, attempt',
      [runId],
    )
    const byTask = new Map<string, AttemptRecord[]>()
    for (const a of attempts.rows) {
      const list = byTask.get(str(a.task_id)) ?? []
      list.push(toAttempt(a))
      byTask.set(str(a.task_id), list)
    }
    return tasks.rows.map((t) => ({
      runId: str(t.run_id),
      taskId: str(t.task_id),
      state: str(t.state) as TaskState,
      attempt: num(t.attempt),
      updatedAt: str(t.updated_at),
      attempts: byTask.get(str(t.task_id)) ?? [],
    }))
  }

  async resetForResume(runId: string, at: Date = new Date()): Promise<string[]> {
    const when = iso(at)
    return this.db.transaction(async (tx) => {
      const run = await tx.query('SELECT 1 FROM runs WHERE id = ?', [runId])
      if (run.rows.length === 0) {
        throw new SluiceError('E_STATE_NOT_FOUND', `run ${runId} does not exist`)
      }
      const states = [...RESUMABLE_TASK_STATES]
      const { rows } = await tx.query<Row>(
        `SELECT task_id, state, attempt FROM tasks WHERE run_id = ? AND state IN (${states
          .map(() => '?')
          .join(', ')}) ORDER BY seq`,
        [runId, ...states],
      )
      const ids: string[] = []
      for (const r of rows) {
        const taskId = str(r.task_id)
        const attempt = num(r.attempt) + 1
        // compare-and-set again: a concurrent resume must not open two attempts
        const { changes } = await tx.query(
          `UPDATE tasks SET state = 'PENDING', attempt = ?, updated_at = ?
           WHERE run_id = ? AND task_id = ? AND state = ? AND attempt = ?`,
          [attempt, when, runId, taskId, r.state, r.attempt],
        )
        if (changes !== 1) continue
        await tx.query(
          `INSERT INTO task_attempts (run_id, task_id, attempt, state, created_at) VALUES (?, ?, ?, 'PENDING', ?)`,
          [runId, taskId, attempt, when],
        )
        await this.event(tx, {
          runId,
          type: 'task:state',
          actor: ACTOR,
          at,
          data: { taskId, attempt, from: str(r.state), to: 'PENDING', resume: true },
        })
        ids.push(taskId)
      }
      return ids
    })
  }

  // logs

  async appendLog(
    runId: string,
    taskId: string,
    attempt: number,
    stream: LogStream,
    text: string,
    at: Date = new Date(),
  ): Promise<void> {
    await this.db.query(
      'INSERT INTO task_logs (run_id, task_id, attempt, stream, text, at) VALUES (?, ?, ?, ?, ?, ?)',
      [runId, taskId, attempt, stream, this.mask(text), iso(at)],
    )
  }

  async readLogs(runId: string, taskId?: string, afterId?: number): Promise<LogRecord[]> {
    const where = ['run_id = ?']
    const params: (string | number)[] = [runId]
    if (taskId !== undefined) {
      where.push('task_id = ?')
      params.push(taskId)
    }
    if (afterId !== undefined && Number.isFinite(afterId)) {
      where.push('id > ?')
      params.push(Math.floor(afterId))
    }
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM task_logs WHERE ${where.join(' AND ')} ORDER BY id`,
      params,
    )
    return rows.map((r) => ({
      id: num(r.id),
      runId: str(r.run_id),
      taskId: str(r.task_id),
      attempt: num(r.attempt),
      stream: str(r.stream) as LogStream,
      text: str(r.text),
      at: str(r.at),
    }))
  }

  // checkpoints and watermarks

  async saveCheckpoint(
    runId: string,
    taskId: string,
    key: string,
    value: JsonValue,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO checkpoints (run_id, task_id, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id, task_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [runId, taskId, key, JSON.stringify(value), iso(new Date())],
    )
  }

  async loadCheckpoint(runId: string, taskId: string, key: string): Promise<JsonValue | undefined> {
    const { rows } = await this.db.query<Row>(
      'SELECT value FROM checkpoints WHERE run_id = ? AND task_id = ? AND key = ?',
      [runId, taskId, key],
    )
    return rows[0] ? (JSON.parse(str(rows[0].value)) as JsonValue) : undefined
  }

  async clearCheckpoints(runId: string, taskId: string): Promise<number> {
    const { changes } = await this.db.query(
      'DELETE FROM checkpoints WHERE run_id = ? AND task_id = ?',
      [runId, taskId],
    )
    return changes
  }

  async getWatermark(pipeline: string, key: string): Promise<JsonValue | undefined> {
    const { rows } = await this.db.query<Row>(
      'SELECT value FROM watermarks WHERE pipeline = ? AND key = ?',
      [pipeline, key],
    )
    return rows[0] ? (JSON.parse(str(rows[0].value)) as JsonValue) : undefined
  }

  async setWatermark(pipeline: string, key: string, value: JsonValue): Promise<void> {
    await this.db.query(
      `INSERT INTO watermarks (pipeline, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (pipeline, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [pipeline, key, JSON.stringify(value), iso(new Date())],
    )
  }

  // dead letters

  async addDeadLetter(entry: NewDeadLetter): Promise<number> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO dead_letters (run_id, task_id, attempt, error_code, error_message, inputs, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        entry.runId,
        entry.taskId,
        entry.attempt,
        entry.error.code,
        this.mask(entry.error.message),
        this.json(entry.inputs),
        iso(entry.at ?? new Date()),
      ],
    )
    return num(rows[0]?.id)
  }

  async listDeadLetters(): Promise<DeadLetterRecord[]> {
    const { rows } = await this.db.query<Row>('SELECT * FROM dead_letters ORDER BY id')
    return rows.map(toDeadLetter)
  }

  async getDeadLetter(id: number): Promise<DeadLetterRecord | undefined> {
    const { rows } = await this.db.query<Row>('SELECT * FROM dead_letters WHERE id = ?', [id])
    return rows[0] ? toDeadLetter(rows[0]) : undefined
  }

  async markRequeued(id: number, at: Date = new Date()): Promise<void> {
    const { changes } = await this.db.query(
      'UPDATE dead_letters SET requeued_at = ? WHERE id = ?',
      [iso(at), id],
    )
    if (changes !== 1)
      throw new SluiceError('E_STATE_NOT_FOUND', `dead letter ${id} does not exist`)
  }

  async purgeDeadLetters(ids?: readonly number[]): Promise<number> {
    if (ids === undefined) return (await this.db.query('DELETE FROM dead_letters')).changes
    if (ids.length === 0) return 0
    const { changes } = await this.db.query(
      `DELETE FROM dead_letters WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    )
    return changes
  }

  // audit events

  async recordEvent(event: NewEvent): Promise<number> {
    return this.db.transaction((tx) => this.event(tx, event))
  }

  async listEvents(runId: string): Promise<EventRecord[]> {
    const { rows } = await this.db.query<Row>('SELECT * FROM events WHERE run_id = ? ORDER BY id', [
      runId,
    ])
    return rows.map((r) => ({
      id: num(r.id),
      runId: strOrNull(r.run_id),
      type: str(r.type),
      actor: str(r.actor),
      at: str(r.at),
      data: JSON.parse(str(r.data)) as JsonObject,
    }))
  }

  // quality checks

  async recordCheckResults(results: readonly NewCheckResult[]): Promise<void> {
    if (results.length === 0) return
    await this.db.transaction(async (tx) => {
      for (const r of results)
        await tx.query(
          `INSERT INTO check_results (run_id, pipeline, task_id, attempt, name, check_type, severity,
             status, failing, total, message, sample, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            r.runId,
            r.pipeline,
            r.taskId,
            r.attempt,
            r.name,
            r.type,
            r.severity,
            r.status,
            r.failing,
            r.total,
            this.mask(r.message),
            this.json(r.sample),
            iso(r.at),
          ],
        )
    })
  }

  async listCheckResults(filter: CheckResultFilter): Promise<CheckResultRecord[]> {
    const where: string[] = []
    const args: unknown[] = []
    const by = (column: string, value: string | undefined): void => {
      if (value === undefined) return
      where.push(`${column} = ?`)
      args.push(value)
    }
    by('run_id', filter.runId)
    by('pipeline', filter.pipeline)
    by('task_id', filter.taskId)
    by('name', filter.name)
    args.push(Math.max(1, Math.min(filter.limit ?? 1000, 100_000)))
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM check_results${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${filter.runId === undefined ? 'at DESC, id DESC' : 'id'} LIMIT ?`,
      args,
    )
    return rows.map((r) => ({
      id: num(r.id),
      runId: str(r.run_id),
      pipeline: str(r.pipeline),
      taskId: str(r.task_id),
      attempt: num(r.attempt),
      name: str(r.name),
      type: str(r.check_type),
      severity: str(r.severity) as 'error' | 'warn',
      status: str(r.status) as 'pass' | 'fail',
      failing: num(r.failing),
      total: num(r.total),
      message: str(r.message),
      sample: JSON.parse(str(r.sample)) as JsonValue[],
      at: str(r.at),
    }))
  }

  // schedules, fires and trigger keys

  async claimFire(pipeline: string, dueAt: Date, outcome: FireOutcome, at: Date): Promise<boolean> {
    // the primary key (pipeline, due_at) makes the claim atomic across processes
    const { changes } = await this.db.query(
      `INSERT INTO schedule_fires (pipeline, due_at, run_id, outcome, at) VALUES (?, ?, NULL, ?, ?)
       ON CONFLICT (pipeline, due_at) DO NOTHING`,
      [pipeline, iso(dueAt), outcome, iso(at)],
    )
    return changes === 1
  }

  async settleFire(
    pipeline: string,
    dueAt: Date,
    from: FireOutcome,
    to: FireOutcome,
    at: Date,
    runId?: string,
  ): Promise<boolean> {
    const { changes } = await this.db.query(
      `UPDATE schedule_fires SET outcome = ?, at = ?, run_id = COALESCE(?, run_id)
       WHERE pipeline = ? AND due_at = ? AND outcome = ?`,
      [to, iso(at), runId ?? null, pipeline, iso(dueAt), from],
    )
    return changes === 1
  }

  async listFires(pipeline: string, filter: FireFilter = {}): Promise<FireRecord[]> {
    const args: unknown[] = [pipeline]
    let where = 'pipeline = ?'
    if (filter.outcome !== undefined) {
      where += ' AND outcome = ?'
      args.push(filter.outcome)
    }
    args.push(Math.max(0, Math.floor(filter.limit ?? 100)))
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM schedule_fires WHERE ${where}
       ORDER BY due_at ${filter.oldestFirst ? 'ASC' : 'DESC'} LIMIT ?`,
      args,
    )
    return rows.map(toFire)
  }

  async countFires(pipeline: string): Promise<Partial<Record<FireOutcome, number>>> {
    const { rows } = await this.db.query<Row>(
      'SELECT outcome, COUNT(*) AS n FROM schedule_fires WHERE pipeline = ? GROUP BY outcome',
      [pipeline],
    )
    const out: Partial<Record<FireOutcome, number>> = {}
    for (const r of rows) out[str(r.outcome) as FireOutcome] = num(r.n)
    return out
  }

  async getSchedule(pipeline: string): Promise<ScheduleRecord | undefined> {
    const { rows } = await this.db.query<Row>('SELECT * FROM schedules WHERE pipeline = ?', [
      pipeline,
    ])
    return rows[0] ? toSchedule(rows[0]) : undefined
  }

  async setSchedulePaused(
    pipeline: string,
    paused: boolean,
    options: { reason?: string; actor: string; at: Date },
  ): Promise<ScheduleRecord> {
    const reason = options.reason === undefined ? null : this.mask(options.reason)
    await this.db.transaction(async (tx) => {
      // a resume keeps the pause reason for the record; a pause replaces it
      await tx.query(
        `INSERT INTO schedules (pipeline, paused, reason, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (pipeline) DO UPDATE SET paused = excluded.paused,
           reason = COALESCE(excluded.reason, schedules.reason),
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [pipeline, paused ? 1 : 0, reason, iso(options.at), options.actor],
      )
      await this.event(tx, {
        type: paused ? 'schedule:pause' : 'schedule:resume',
        actor: options.actor,
        at: options.at,
        data: { pipeline, ...(reason !== null && { reason }) },
      })
    })
    const saved = await this.getSchedule(pipeline)
    if (!saved) throw new SluiceError('E_INTERNAL', `schedule ${pipeline} vanished after update`)
    return saved
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    const { rows } = await this.db.query<Row>('SELECT * FROM schedules ORDER BY pipeline')
    return rows.map(toSchedule)
  }

  async claimTriggerKey(pipeline: string, key: string, at: Date): Promise<boolean> {
    const { changes } = await this.db.query(
      `INSERT INTO trigger_keys (pipeline, dedupe_key, run_id, created_at) VALUES (?, ?, NULL, ?)
       ON CONFLICT (pipeline, dedupe_key) DO NOTHING`,
      [pipeline, key, iso(at)],
    )
    return changes === 1
  }

  async setTriggerRun(pipeline: string, key: string, runId: string): Promise<void> {
    const { changes } = await this.db.query(
      'UPDATE trigger_keys SET run_id = ? WHERE pipeline = ? AND dedupe_key = ?',
      [runId, pipeline, key],
    )
    if (changes !== 1) {
      throw new SluiceError(
        'E_STATE_NOT_FOUND',
        `trigger key "${key}" of pipeline ${pipeline} was never claimed`,
        { hint: 'call claimTriggerKey first' },
      )
    }
  }

  async getTriggerRun(pipeline: string, key: string): Promise<string | null | undefined> {
    const { rows } = await this.db.query<Row>(
      'SELECT run_id FROM trigger_keys WHERE pipeline = ? AND dedupe_key = ?',
      [pipeline, key],
    )
    return rows[0] ? strOrNull(rows[0].run_id) : undefined
  }

  // housekeeping

  async prune(olderThan: Date, pipeline?: string): Promise<PruneResult> {
    const cutoff = iso(olderThan)
    const only = pipeline === undefined ? '' : ' AND pipeline = ?'
    const args = pipeline === undefined ? [cutoff] : [cutoff, pipeline]
    return this.db.transaction(async (tx) => {
      const del = async (sql: string): Promise<number> =>
        (await tx.query(`${sql} IN (${FINISHED_RUNS_SQL}${only})`, args)).changes
      const logs = await del('DELETE FROM task_logs WHERE run_id')
      const checkpoints = await del('DELETE FROM checkpoints WHERE run_id')
      const events = await del('DELETE FROM events WHERE run_id')
      const checks = await del('DELETE FROM check_results WHERE run_id')
      const attempts = await del('DELETE FROM task_attempts WHERE run_id')
      const tasks = await del('DELETE FROM tasks WHERE run_id')
      const runs = await del('DELETE FROM runs WHERE id')
      return { runs, tasks, attempts, logs, checkpoints, events, checks }
    })
  }

  async close(): Promise<void> {
    await this.db.close()
  }
}
