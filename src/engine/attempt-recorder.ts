import type { SecretMask } from '../core/secret-mask.js'
import type { TaskSpec } from '../core/spec/pipeline-spec.js'
import type { StateStore } from '../state/state-store.js'
import type { Clock } from './clock.js'
import type { RunEvents } from './run-events.js'
import type { Json, TaskContext } from './task-context.js'

export interface AttemptIdentity {
  readonly runId: string
  readonly pipeline: string
  readonly taskId: string
  readonly attempt: number
}

/**
 * The store-backed parts of one attempt's TaskContext: logs (masked, written in order, also
 * emitted as `task:log`), checkpoints and metrics.
 */
export class AttemptRecorder {
  readonly metrics = { rowsIn: 0, rowsOut: 0, bytes: 0 }
  /** Whether a checkpoint may exist for this task (so it must be cleared on success). */
  checkpointed: boolean
  private logs: Promise<void> = Promise.resolve()

  constructor(
    private readonly id: AttemptIdentity,
    private readonly store: StateStore,
    private readonly events: RunEvents,
    private readonly secrets: SecretMask,
    private readonly clock: Clock,
    mayHaveCheckpoint: boolean,
  ) {
    this.checkpointed = mayHaveCheckpoint
  }

  context(
    task: TaskSpec,
    params: Readonly<Record<string, unknown>>,
    baseDir: string,
    upstream: Readonly<Record<string, Json | undefined>>,
  ): Omit<TaskContext, 'signal'> {
    const { runId, taskId, attempt } = this.id
    return {
      ...this.id,
      task,
      params,
      baseDir,
      upstream,
      log: (text, stream = 'info') => {
        const masked = this.secrets.mask(text)
        this.logs = this.logs
          .then(() =>
            this.store.appendLog(
              runId,
              taskId,
              attempt,
              stream === 'info' ? 'log' : stream,
              masked,
            ),
          )
          .catch(() => {}) // a lost log line must not fail the task
        this.events.emit('task:log', {
          runId,
          pipeline: this.id.pipeline,
          taskId,
          attempt,
          stream,
          text: masked,
          at: this.clock.now(),
        })
      },
      checkpoint: {
        save: (key, value) => {
          this.checkpointed = true
          return this.store.saveCheckpoint(runId, taskId, key, value)
        },
        load: async <T extends Json = Json>(key: string) =>
          (await this.store.loadCheckpoint(runId, taskId, key)) as T | undefined,
      },
      recordChecks: (results) =>
        this.store.recordCheckResults(
          results.map((r) => ({
            runId,
            pipeline: this.id.pipeline,
            taskId,
            attempt,
            name: r.name,
            type: r.type,
            severity: r.severity,
            status: r.status,
            failing: r.failing,
            total: r.total,
            message: r.message,
            sample: [...r.sample],
            at: new Date(this.clock.now()),
          })),
        ),
      metric: (name, value) => {
        if (name === 'rows_in') this.metrics.rowsIn += value
        else if (name === 'rows_out') this.metrics.rowsOut += value
        else this.metrics.bytes += value
      },
    }
  }

  /** Waits until every log line of the attempt is written. */
  flush(): Promise<void> {
    return this.logs
  }
}
