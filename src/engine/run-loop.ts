import { cpus } from 'node:os'
import type { CompiledPipeline } from '../core/compiled-pipeline.js'
import type { PlannedTask } from '../core/dag/execution-plan.js'
import { parseDuration } from '../core/duration.js'
import { SluiceError } from '../core/sluice-error.js'
import type { TaskSpec } from '../core/spec/pipeline-spec.js'
import { runOutcome, type RunState } from '../core/state/run-state.js'
import type { TaskState } from '../core/state/task-state.js'
import type { ErrorInfo, JsonObject, JsonValue } from '../state/records.js'
import { maskJson } from '../state/mask-json.js'
import type { StateStore } from '../state/state-store.js'
import { AttemptRecorder } from './attempt-recorder.js'
import { CircuitBreaker } from './circuit-breaker.js'
import type { Clock } from './clock.js'
import { executeAttempt, type AttemptResult } from './execute-attempt.js'
import { ReadyQueue, type ReadyEntry } from './ready-queue.js'
import { reopenRun } from './reopen-run.js'
import { retryDelayMs, retryPolicyOf, type RetryPolicy } from './retry-policy.js'
import type { RunEvents } from './run-events.js'
import type { RunResult, TaskResult } from './run-pipeline.js'
import type { Json, TaskExecutor } from './task-context.js'

export interface RunLoopOptions {
  readonly store: StateStore
  readonly runId: string
  readonly resume?: boolean
  readonly concurrency?: number
  readonly signal?: AbortSignal
  readonly clock: Clock
  readonly random: () => number
  readonly executors: Readonly<Record<string, TaskExecutor>>
  readonly events: RunEvents
  readonly breakers: Map<string, CircuitBreaker>
  readonly graceMs: number
  readonly heartbeatMs: number
  readonly owner: string
  readonly actor: string
  readonly baseDir: string
  readonly trigger?: string
  readonly groupId?: string
  readonly scheduledFor?: Date
  readonly runTimeoutMs?: number
  readonly cpus?: number
}

const DEFAULT_TIMEOUT_MS = 3_600_000

interface Slot {
  readonly plan: PlannedTask
  readonly spec: TaskSpec
  readonly index: number
  readonly policy: RetryPolicy
  readonly timeoutMs: number
  readonly pool: string | undefined
  readonly cpu: number
  readonly connections: readonly string[]
  state: TaskState
  attempt: number
  waitingOn: number
  upstreamBad: boolean
  outputs?: Json
  error?: ErrorInfo
  startedAt?: number
}

type StopReason = { kind: 'cancel'; error: SluiceError } | { kind: 'fail'; error: SluiceError }

/**
 * Walks a compiled plan: event-driven readiness (a finished task decrements its dependents'
 * counters), global concurrency, pools and CPU capacity, retries with backoff, timeouts,
 * cancellation, dead letters. Every transition goes to the store first, then to the events.
 */
export class RunLoop {
  private readonly slots: Slot[]
  private readonly byId: Map<string, Slot>
  private readonly ready = new ReadyQueue()
  private readonly runCtl = new AbortController()
  private readonly poolUse = new Map<string, number>()
  private readonly poolSize: Map<string, number>
  private readonly concurrency: number
  private readonly cpuCapacity: number
  private running = 0
  private cpuUse = 0
  private backoff = 0
  private inFlight = new Set<Promise<void>>()
  private stop: StopReason | undefined
  private failFast: boolean
  private startedAt = 0
  private wake: (() => void) | undefined
  private storeError: Error | undefined
  private graceExpired = false

  constructor(
    private readonly pipeline: CompiledPipeline,
    private readonly o: RunLoopOptions,
  ) {
    const spec = pipeline.spec
    const defaults = spec.defaults ?? {}
    this.concurrency = Math.max(1, o.concurrency ?? spec.max_parallel ?? cpus().length)
    this.cpuCapacity = o.cpus ?? cpus().length
    this.failFast = spec.fail_fast ?? false
    this.poolSize = new Map(Object.entries(spec.pools ?? {}))
    for (const [name, c] of Object.entries(spec.connections ?? {})) {
      if (!this.poolSize.has(name))
        this.poolSize.set(name, typeof c === 'string' ? 4 : (c.pool ?? 4))
    }
    this.slots = pipeline.plan.tasks.map((plan, index) => {
      const t = spec.tasks[plan.id]!
      const timeout = t.timeout ?? defaults.timeout
      return {
        plan,
        spec: t,
        index,
        policy: retryPolicyOf(t.retries, defaults.retries),
        timeoutMs:
          timeout === undefined
            ? DEFAULT_TIMEOUT_MS
            : (parseDuration(timeout) ?? DEFAULT_TIMEOUT_MS),
        pool: t.pool ?? defaults.pool,
        cpu: Math.min(t.resources?.cpu ?? 0, this.cpuCapacity),
        connections: connectionsOf(t),
        state: 'PENDING',
        attempt: 0,
        waitingOn: plan.dependsOn.length,
        upstreamBad: false,
      }
    })
    this.byId = new Map(this.slots.map((s) => [s.plan.id, s]))
  }

  async run(): Promise<RunResult> {
    const { runId } = this.o
    this.startedAt = this.o.clock.now()
    const onAbort = () =>
      this.cancel(
        new SluiceError('E_CANCELLED', 'the run was cancelled', {
          hint: `resume it with: sluice resume ${runId}`,
        }),
      )
    if (this.o.signal?.aborted) onAbort()
    else this.o.signal?.addEventListener('abort', onAbort, { once: true })
    const resumed = this.o.resume === true
    if (resumed) await this.prepareResume()
    else await this.prepareNew()
    this.o.events.emit('run:start', {
      runId,
      pipeline: this.pipeline.spec.name,
      tasks: this.slots.length,
      resumed,
      at: this.o.clock.now(),
      ...(this.o.scheduledFor !== undefined && { scheduledFor: this.o.scheduledFor.getTime() }),
    })

    const heartbeat = setInterval(() => void this.beat(), this.o.heartbeatMs)
    heartbeat.unref()
    const timeoutCtl = new AbortController()
    if (this.o.runTimeoutMs !== undefined) {
      this.o.clock.sleep(this.o.runTimeoutMs, timeoutCtl.signal).then(
        () =>
          this.abortRun({
            kind: 'fail',
            error: new SluiceError(
              'E_RUN_TIMEOUT',
              `run timed out after ${this.o.runTimeoutMs} ms`,
            ),
          }),
        () => {},
      )
    }
    try {
      // Roots and tasks whose upstream already succeeded (resume) become ready now, all of
      // them before the first starts, so that priorities order them.
      for (const s of this.slots)
        if (s.state === 'PENDING' && s.waitingOn === 0) await this.becomeReady(s)
      await this.drive()
    } finally {
      clearInterval(heartbeat)
      timeoutCtl.abort()
      this.o.signal?.removeEventListener('abort', onAbort)
    }
    return this.finish()
  }

  // --- setup ------------------------------------------------------------------------------

  private async prepareNew(): Promise<void> {
    const { store, runId } = this.o
    const p = this.pipeline
    await store.savePipelineVersion({ pipeline: p.spec.name, hash: p.hash, source: p.source })
    await store.createRun({
      id: runId,
      pipeline: p.spec.name,
      pipelineHash: p.hash,
      params: toJsonObject(p.params),
      trigger: this.o.trigger ?? 'manual',
      ...(this.o.groupId !== undefined && { groupId: this.o.groupId }),
      ...(this.o.scheduledFor !== undefined && { scheduledFor: this.o.scheduledFor }),
      tasks: this.slots.map((s) => ({ taskId: s.plan.id })),
      owner: this.o.owner,
      ...(p.file.startsWith('<') ? {} : { file: p.file }),
    })
    await store.transitionRun(runId, 'QUEUED', 'RUNNING', this.now())
    await store.heartbeat(runId, this.o.owner, this.now())
  }

  /**
   * Reopens the run (see reopenRun); SUCCESS tasks keep their outputs and count as done.
   */
  private async prepareResume(): Promise<void> {
    const { store, runId } = this.o
    const tasks = await reopenRun(store, runId, this.o.owner, () => this.now())
    const records = new Map(tasks.map((t) => [t.taskId, t]))
    for (const s of this.slots) {
      const r = records.get(s.plan.id)
      if (!r)
        throw new SluiceError(
          'E_RUN_NOT_RESUMABLE',
          `task ${s.plan.id} is not part of run ${runId}`,
          { hint: 'resume with the selection the run started with' },
        )
      s.attempt = r.attempt
      if (r.state === 'SUCCESS') {
        s.state = 'SUCCESS'
        const last = r.attempts[r.attempts.length - 1]
        if (last?.outputs != null) s.outputs = last.outputs
      }
    }
    for (const s of this.slots)
      if (s.state === 'SUCCESS') for (const d of s.plan.dependents) this.byId.get(d)!.waitingOn--
  }

  // --- the loop ---------------------------------------------------------------------------

  /** Launches what fits until nothing runs, waits or backs off. */
  private async drive(): Promise<void> {
    for (;;) {
      if (this.storeError) throw this.storeError
      if (!this.stop) this.launch()
      if (this.graceExpired) break
      if (
        this.inFlight.size === 0 &&
        this.running === 0 &&
        this.backoff === 0 &&
        (this.ready.size === 0 || this.stop)
      )
        break
      await new Promise<void>((resolve) => (this.wake = resolve))
      this.wake = undefined
    }
    if (this.stop) await this.settleStopped()
  }

  private notify(): void {
    this.wake?.()
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((e: unknown) => {
      this.storeError ??= e instanceof Error ? e : new SluiceError('E_INTERNAL', JSON.stringify(e))
      this.abortRun({
        kind: 'fail',
        error: e instanceof SluiceError ? e : new SluiceError('E_INTERNAL', String(e)),
      })
    })
    this.inFlight.add(tracked)
    void tracked.finally(() => {
      this.inFlight.delete(tracked)
      this.notify()
    })
  }

  private launch(): void {
    while (this.running < this.concurrency) {
      const e = this.ready.take((x) => this.fits(this.slots[x.index]!))
      if (!e) return
      const s = this.slots[e.index]!
      this.running++
      if (s.pool) this.poolUse.set(s.pool, (this.poolUse.get(s.pool) ?? 0) + 1)
      this.cpuUse += s.cpu
      this.track(
        this.attempt(s).finally(() => {
          this.running--
          if (s.pool) this.poolUse.set(s.pool, this.poolUse.get(s.pool)! - 1)
          this.cpuUse -= s.cpu
        }),
      )
    }
  }

  private fits(s: Slot): boolean {
    if (s.pool && (this.poolUse.get(s.pool) ?? 0) >= (this.poolSize.get(s.pool) ?? Infinity))
      return false
    return s.cpu === 0 || this.cpuUse === 0 || this.cpuUse + s.cpu <= this.cpuCapacity
  }

  private async becomeReady(s: Slot): Promise<void> {
    if (
      s.upstreamBad &&
      (s.spec.on_upstream_failure ?? this.pipeline.spec.defaults?.on_upstream_failure ?? 'skip') ===
        'skip'
    ) {
      await this.move(s, 'SKIPPED', {
        code: 'E_UPSTREAM_FAILED',
        message: 'an upstream task did not succeed',
        retryable: false,
      })
      this.settle(s)
      return
    }
    if (this.stop) return
    await this.move(s, 'QUEUED')
    this.ready.push(entryOf(s))
    this.notify()
  }

  /** One attempt: QUEUED → RUNNING → SUCCESS | RETRYING | FAILED | CANCELLED. */
  private async attempt(s: Slot): Promise<void> {
    const { store, runId } = this.o
    const id = s.plan.id
    s.attempt = await store.startAttempt(runId, id, this.now())
    s.state = 'RUNNING'
    s.startedAt = this.o.clock.now()
    this.emitState(s, 'QUEUED', 'RUNNING')
    const executor = this.o.executors[s.spec.type]
    const rec = new AttemptRecorder(
      { runId, pipeline: this.pipeline.spec.name, taskId: id, attempt: s.attempt },
      store,
      this.o.events,
      this.pipeline.secrets,
      this.o.clock,
      s.attempt > 0 || this.o.resume === true,
    )
    const upstream = Object.fromEntries(s.plan.dependsOn.map((d) => [d, this.byId.get(d)?.outputs]))
    const result: AttemptResult = executor
      ? await executeAttempt(
          executor,
          rec.context(
            s.spec,
            { ...this.pipeline.params, ...s.spec.params },
            this.o.baseDir,
            upstream,
          ),
          this.runCtl.signal,
          s.timeoutMs,
          s.connections.map((c) => this.breaker(c)),
        )
      : {
          ok: false,
          cancelled: false,
          error: new SluiceError(
            'E_EXECUTOR_MISSING',
            `task type ${s.spec.type} cannot run yet in this version`,
            {
              retryable: false,
              task: id,
            },
          ),
        }
    await rec.flush()
    const m = { ...rec.metrics }
    if (result.ok) {
      s.outputs = result.outputs
      await this.move(s, 'SUCCESS', undefined, m, result.outputs)
      if (rec.checkpointed) await store.clearCheckpoints(runId, id)
      this.settle(s)
      return
    }
    const error = this.errorInfo(result.error)
    if (result.cancelled) {
      await this.move(s, 'CANCELLED', this.errorInfo(this.stop?.error ?? result.error), m)
      return
    }
    const tries = s.attempt + 1
    if (result.error.retryable && tries < s.policy.maxAttempts && !this.stop) {
      const delayMs = retryDelayMs(tries, s.policy, this.o.random, result.error.retryAfterMs)
      await this.move(s, 'RETRYING', error, m)
      await store.recordEvent({
        runId,
        type: 'task:retry',
        actor: this.o.actor,
        at: this.now(),
        data: {
          taskId: id,
          attempt: s.attempt,
          delayMs,
          error: { code: error.code, message: error.message },
        },
      })
      this.o.events.emit('task:retry', {
        runId,
        pipeline: this.pipeline.spec.name,
        taskId: id,
        attempt: s.attempt,
        delayMs,
        error,
        at: this.o.clock.now(),
      })
      this.backoff++
      this.track(this.retryAfter(s, delayMs))
      return
    }
    await this.move(s, 'FAILED', error, m)
    await store.addDeadLetter({
      runId,
      taskId: id,
      attempt: s.attempt,
      error,
      inputs: maskJson(
        {
          task: s.spec as unknown as JsonValue,
          params: toJsonObject(this.pipeline.params),
          upstream: toJsonObject(
            Object.fromEntries(s.plan.dependsOn.map((d) => [d, this.byId.get(d)?.outputs ?? null])),
          ),
        },
        this.pipeline.secrets,
      ),
    })
    this.settle(s)
    if (this.failFast)
      this.abortRun(
        {
          kind: 'fail',
          error: new SluiceError('E_UPSTREAM_FAILED', `task ${id} failed and fail_fast is on`),
        },
        false,
      )
  }

  private async retryAfter(s: Slot, delayMs: number): Promise<void> {
    try {
      await this.o.clock.sleep(delayMs, this.runCtl.signal)
    } catch {
      this.backoff--
      await this.move(
        s,
        'CANCELLED',
        this.errorInfo(
          this.stop?.error ?? new SluiceError('E_CANCELLED', 'cancelled during backoff'),
        ),
      )
      return
    }
    this.backoff--
    if (this.stop) {
      await this.move(s, 'CANCELLED', this.errorInfo(this.stop.error))
      return
    }
    await this.move(s, 'QUEUED')
    this.ready.push(entryOf(s))
    this.notify()
  }

  /** A task reached SUCCESS, FAILED or SKIPPED: its dependents may become ready. */
  private settle(s: Slot): void {
    const bad = s.state !== 'SUCCESS'
    for (const d of s.plan.dependents) {
      const dep = this.byId.get(d)!
      if (bad) dep.upstreamBad = true
      if (--dep.waitingOn === 0 && dep.state === 'PENDING') this.track(this.becomeReady(dep))
    }
  }

  // --- stopping ---------------------------------------------------------------------------

  private cancel(error: SluiceError): void {
    this.abortRun({ kind: 'cancel', error })
  }

  /** Stops launching; with `abortRunning`, running attempts get the abort signal too. */
  private abortRun(reason: StopReason, abortRunning = true): void {
    if (this.stop) return
    this.stop = reason
    if (abortRunning) {
      this.runCtl.abort(reason.error)
      // tasks that ignore the abort signal are recorded CANCELLED after the grace period
      setTimeout(() => {
        this.graceExpired = true
        this.notify()
      }, this.o.graceMs).unref()
    }
    this.notify()
  }

  /** After a stop: queued and pending tasks become CANCELLED; stragglers get `graceMs`. */
  private async settleStopped(): Promise<void> {
    const error = this.errorInfo(this.stop!.error)
    for (const e of this.ready.drain()) await this.move(this.slots[e.index]!, 'CANCELLED', error)
    for (const s of this.slots) {
      if (
        s.state === 'PENDING' ||
        (this.graceExpired &&
          (s.state === 'RUNNING' || s.state === 'RETRYING' || s.state === 'QUEUED'))
      ) {
        await this.move(s, 'CANCELLED', error)
      }
    }
  }

  /** Polls for an external cancel (sluice cancel) and records that this process is alive. */
  private async beat(): Promise<void> {
    try {
      await this.o.store.heartbeat(this.o.runId, this.o.owner, this.now())
      const run = await this.o.store.getRun(this.o.runId)
      if (run?.cancelRequestedAt)
        this.cancel(new SluiceError('E_CANCELLED', 'the run was cancelled with sluice cancel'))
    } catch {
      // a missed heartbeat is not fatal; the next one retries
    }
  }

  // --- bookkeeping ------------------------------------------------------------------------

  private async move(
    s: Slot,
    to: TaskState,
    error?: ErrorInfo,
    metrics?: { rowsIn: number; rowsOut: number; bytes: number },
    outputs?: JsonValue,
  ): Promise<void> {
    const from = s.state
    await this.o.store.transitionTask(this.o.runId, s.plan.id, from, to, {
      at: this.now(),
      ...(error && { error }),
      ...(metrics && { metrics }),
      ...(outputs !== undefined && { outputs }),
    })
    s.state = to
    if (error) s.error = error
    this.emitState(s, from, to)
  }

  private emitState(s: Slot, from: TaskState, to: TaskState): void {
    this.o.events.emit('task:state', {
      runId: this.o.runId,
      pipeline: this.pipeline.spec.name,
      taskId: s.plan.id,
      attempt: s.attempt,
      from,
      to,
      at: this.o.clock.now(),
      ...(s.error &&
        (to === 'FAILED' || to === 'RETRYING' || to === 'SKIPPED' || to === 'CANCELLED') && {
          error: { code: s.error.code, message: s.error.message },
        }),
    })
  }

  private breaker(name: string): CircuitBreaker {
    let b = this.o.breakers.get(name)
    if (!b) this.o.breakers.set(name, (b = new CircuitBreaker(name, this.o.clock)))
    return b
  }

  /** Errors as stored and emitted: secrets masked even before the store masks them again. */
  private errorInfo(e: SluiceError): ErrorInfo {
    return { code: e.code, message: this.pipeline.secrets.mask(e.message), retryable: e.retryable }
  }

  private now(): Date {
    return new Date(this.o.clock.now())
  }

  private async finish(): Promise<RunResult> {
    const cancelled = this.stop?.kind === 'cancel'
    let state: RunState = runOutcome(
      this.slots.map((s) => s.state),
      cancelled,
    )
    if (this.stop?.kind === 'fail') state = 'FAILED'
    const error =
      state === 'SUCCESS'
        ? undefined
        : this.stop
          ? this.errorInfo(this.stop.error)
          : firstError(this.slots)
    await this.o.store.transitionRun(this.o.runId, 'RUNNING', state, this.now(), error)
    const durationMs = this.o.clock.now() - this.startedAt
    this.o.events.emit('run:finish', {
      runId: this.o.runId,
      pipeline: this.pipeline.spec.name,
      state,
      durationMs,
      at: this.o.clock.now(),
    })
    const tasks: Record<string, TaskResult> = {}
    for (const s of this.slots) {
      tasks[s.plan.id] = {
        state: s.state,
        attempts: s.attempt + (s.state === 'PENDING' ? 0 : 1),
        ...(s.error &&
          s.state !== 'SUCCESS' && { error: { code: s.error.code, message: s.error.message } }),
        ...(s.outputs !== undefined && { outputs: s.outputs }),
      }
    }
    return {
      runId: this.o.runId,
      pipeline: this.pipeline.spec.name,
      state,
      durationMs,
      tasks,
      ...(error && { error: { code: error.code, message: error.message } }),
    }
  }
}

function entryOf(s: Slot): ReadyEntry {
  return {
    index: s.index,
    priority: s.plan.priority,
    critical: s.plan.critical,
    slackMs: s.plan.slackMs ?? 0,
  }
}

function firstError(slots: readonly Slot[]): ErrorInfo | undefined {
  const failed = slots.find((s) => s.state === 'FAILED')
  return (
    failed?.error && { ...failed.error, message: `task ${failed.plan.id}: ${failed.error.message}` }
  )
}

function connectionsOf(t: TaskSpec): string[] {
  const out: string[] = []
  if (t.type === 'extract') {
    if (t.source.connection) out.push(t.source.connection)
    if (t.destination?.connection) out.push(t.destination.connection)
  }
  if (t.type === 'load' && t.destination.connection) out.push(t.destination.connection)
  if (t.type === 'sql' && t.connection) out.push(t.connection)
  return out
}

function toJsonObject(v: Readonly<Record<string, unknown>>): JsonObject {
  return JSON.parse(
    JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)),
  ) as JsonObject
}
