import { cpus } from 'node:os'
import { dirname } from 'node:path'
import { newRunId } from '../../core/new-run-id.js'
import type { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'
import { formatIssue } from '../../core/validation-issue.js'
import { compilePipeline } from '../../definition/compile-pipeline.js'
import { loadPipelineFile, loadPipelineText } from '../../definition/load-pipeline.js'
import { isOrphaned } from '../commands/resume-command.js'
import type { DataPlane } from '../../engine/data-plane.js'
import { runPipeline, type RunResult } from '../../engine/run-pipeline.js'
import type { RunEvents } from '../../engine/run-events.js'
import type { Launcher, LaunchRequest } from '../../scheduler/scheduler.js'
import type { StateStore } from '../../state/state-store.js'
import { unchanged, type CatalogEntry, type PipelineCatalog } from './pipeline-catalog.js'

/** A run to start now: scheduled, backfilled, or triggered by a webhook, a file or a pipeline. */
export interface StartRequest {
  readonly pipeline: string
  readonly params: Readonly<Record<string, unknown>>
  readonly trigger: string
  readonly actor: string
  readonly scheduledFor?: Date
  readonly dataInterval?: { readonly start: Date; readonly end: Date }
  readonly logicalDate?: Date
  readonly groupId?: string
}

/** Cores, read once: os.cpus() parses /proc/cpuinfo (~0.25 ms), too slow for 500 runs a minute. */
const CORES = cpus().length

interface Active {
  readonly pipeline: string
  readonly abort: AbortController
  readonly done: Promise<RunResult | undefined>
}

/**
 * Starts runs inside the `serve` process: the pipeline file is loaded again for each run (so its
 * templates see the run's id, parameters and data interval, and a run keeps the version it
 * started with) unless nothing in it can depend on the run (no templates, no params: the
 * catalog's compiled version is used as is), and run by the engine in the background against
 * the shared store.
 * Handlers get the run id at once; nothing waits for the run. Implements the scheduler's
 * `Launcher`.
 */
export class RunLauncher implements Launcher {
  private readonly active = new Map<string, Active>()

  constructor(
    private readonly o: {
      readonly store: StateStore
      readonly catalog: PipelineCatalog
      readonly plane: DataPlane
      readonly events: RunEvents
      readonly env: Readonly<Record<string, string | undefined>>
      readonly secrets: SecretMask
      readonly log: (text: string) => void
      readonly onFinish?: (pipeline: string, result: RunResult) => void
    },
  ) {}

  async start(req: StartRequest): Promise<{ runId: string }> {
    const entry = this.o.catalog.get(req.pipeline)
    if (entry === undefined)
      throw new SluiceError('E_PIPELINE_UNKNOWN', `no pipeline ${req.pipeline} is loaded`, {
        hint: `loaded: ${
          this.o.catalog
            .list()
            .map((e) => e.name)
            .join(', ') || 'none'
        }`,
      })
    const runId = newRunId(req.pipeline)
    // a definition whose content cannot depend on the run is not read, parsed and validated
    // again for each run (~1.4 ms and a file read each: most of a scheduled run's start)
    const compiled =
      entry.reusable && Object.keys(req.params).length === 0 && unchanged(entry)
        ? entry.compiled
        : await this.compile(entry, req, runId)
    this.o.secrets.addAll(compiled.secrets)
    const abort = new AbortController()
    const done = runPipeline(compiled, {
      store: this.o.store,
      runId,
      signal: abort.signal,
      events: this.o.events,
      dataPlane: this.o.plane,
      trigger: req.trigger,
      actor: req.actor,
      baseDir: dirname(entry.file),
      // the engine's defaults, without a cpus() call per run
      concurrency: compiled.spec.max_parallel ?? CORES,
      cpus: CORES,
      ...(req.groupId !== undefined && { groupId: req.groupId }),
      ...(req.scheduledFor !== undefined && { scheduledFor: req.scheduledFor }),
    }).then(
      (result) => {
        this.o.log(`run ${runId} ${result.state} (${req.trigger})`)
        this.o.onFinish?.(req.pipeline, result)
        return result
      },
      (e: unknown) => {
        this.o.log(`run ${runId} could not run: ${e instanceof Error ? e.message : String(e)}`)
        return undefined
      },
    )
    this.active.set(runId, { pipeline: req.pipeline, abort, done })
    void done.finally(() => this.active.delete(runId))
    return { runId }
  }

  /** Loads the pipeline file with the run's context (id, params, data interval) and compiles it. */
  private async compile(entry: CatalogEntry, req: StartRequest, runId: string) {
    const schedule = entry.spec.schedule
    const cron = typeof schedule === 'string' ? schedule : schedule?.cron
    const timezone = typeof schedule === 'object' ? schedule.timezone : undefined
    const loaded = await loadPipelineFile(entry.file, {
      params: req.params,
      env: this.o.env,
      envUnset: 'error',
      run: {
        runId,
        ...(req.logicalDate && { logicalDate: req.logicalDate }),
        ...(req.dataInterval && { dataInterval: req.dataInterval }),
        ...(cron !== undefined && { cron }),
        ...(timezone !== undefined && { timezone }),
      },
    })
    const errors = loaded.issues.filter((i) => i.severity === 'error')
    if (errors.length > 0)
      throw new SluiceError(
        errors[0]!.code,
        `pipeline ${req.pipeline} cannot start: ${errors.map(formatIssue).join('; ')}`,
        { retryable: false },
      )
    return compilePipeline(loaded)
  }

  /**
   * Resumes a failed, cancelled or orphaned run in this process with the definition it pinned
   * (FAILED, CANCELLED and SKIPPED tasks run again; SUCCESS tasks keep their outputs). Returns the
   * tasks that will run again.
   */
  async resume(runId: string, actor: string): Promise<{ tasks: string[] }> {
    const { store } = this.o
    const run = await store.getRun(runId)
    if (!run) throw new SluiceError('E_STATE_NOT_FOUND', `no run ${runId}`)
    if (this.active.has(runId) || (run.state === 'RUNNING' && !isOrphaned(run)))
      throw new SluiceError('E_RUN_NOT_RESUMABLE', `run ${runId} is still running`, {
        hint: 'cancel it first',
      })
    if (run.state === 'SUCCESS')
      throw new SluiceError('E_RUN_NOT_RESUMABLE', `run ${runId} already succeeded`)
    const version = await store.getPipelineVersion(run.pipeline, run.pipelineHash)
    const file = run.file ?? undefined
    const isYaml = file === undefined || /\.ya?ml$/i.test(file)
    if (isYaml && !version)
      throw new SluiceError('E_STATE_NOT_FOUND', `the definition run ${runId} pinned is not stored`)
    const opts = {
      params: run.params,
      env: this.o.env,
      envUnset: 'error' as const,
      run: { runId },
      displayName: file ?? `<${run.pipeline}>`,
    }
    const loaded = isYaml
      ? loadPipelineText(version!.source, opts)
      : await loadPipelineFile(file, opts)
    if (!loaded.spec)
      throw new SluiceError(
        'E_RUN_NOT_RESUMABLE',
        `run ${runId}: its definition no longer loads: ${loaded.issues.map(formatIssue).join('; ')}`,
      )
    this.o.secrets.addAll(loaded.secrets)
    const tasks = await store.listTasks(runId)
    const compiled = compilePipeline(loaded, { select: tasks.map((t) => t.taskId) })
    const abort = new AbortController()
    const done = runPipeline(compiled, {
      store,
      runId,
      resume: true,
      signal: abort.signal,
      events: this.o.events,
      dataPlane: this.o.plane,
      actor,
      ...(file !== undefined && { baseDir: dirname(file) }),
    }).then(
      (result) => {
        this.o.log(`run ${runId} ${result.state} (resumed by ${actor})`)
        return result
      },
      (e: unknown) => {
        this.o.log(`run ${runId} could not resume: ${e instanceof Error ? e.message : String(e)}`)
        return undefined
      },
    )
    this.active.set(runId, { pipeline: run.pipeline, abort, done })
    void done.finally(() => this.active.delete(runId))
    return {
      tasks: tasks
        .filter((t) => t.state === 'FAILED' || t.state === 'CANCELLED' || t.state === 'SKIPPED')
        .map((t) => t.taskId),
    }
  }

  /** The scheduler's entry point. */
  async launch(req: LaunchRequest): Promise<{ runId: string }> {
    return this.start({
      pipeline: req.pipeline,
      params: req.params,
      trigger: req.trigger,
      actor: 'scheduler',
      scheduledFor: req.scheduledFor,
      dataInterval: req.dataInterval,
      logicalDate: req.logicalDate,
      ...(req.groupId !== undefined && { groupId: req.groupId }),
    })
  }

  cancel(runId: string, _reason: string): Promise<void> {
    this.active.get(runId)?.abort.abort()
    return Promise.resolve()
  }

  activeRuns(pipeline: string): Promise<readonly string[]> {
    return Promise.resolve(
      [...this.active.entries()].filter(([, a]) => a.pipeline === pipeline).map(([id]) => id),
    )
  }

  /** Runs going in this process. */
  count(): number {
    return this.active.size
  }

  /** Whether a run is going in this process (so it can be cancelled here). */
  has(runId: string): boolean {
    return this.active.has(runId)
  }

  /** Shutdown: cancels every run and waits for them to record CANCELLED (at most graceMs). */
  async stopAll(graceMs: number): Promise<void> {
    for (const a of this.active.values()) a.abort.abort()
    const all = Promise.all([...this.active.values()].map((a) => a.done))
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())])
  }
}
