import { hostname } from 'node:os'
import { dirname, resolve } from 'node:path'
import type { CompiledPipeline } from '../core/compiled-pipeline.js'
import { parseDuration } from '../core/duration.js'
import type { RunState } from '../core/state/run-state.js'
import type { TaskState } from '../core/state/task-state.js'
import type { StateStore } from '../state/state-store.js'
import type { CircuitBreaker } from './circuit-breaker.js'
import { systemClock, type Clock } from './clock.js'
import type { DataPlane } from './data-plane.js'
import { builtinExecutors } from './executors/builtin-executors.js'
import { checkExecutor } from './executors/check-executor.js'
import { extractExecutor } from './executors/extract-executor.js'
import { transformExecutor } from './executors/transform-executor.js'
import { withContract } from './executors/with-contract.js'
import { withInlineChecks } from './executors/with-inline-checks.js'
import { loadExecutor } from './executors/load-executor.js'
import { sqlExecutor } from './executors/sql-executor.js'
import { RunEvents } from './run-events.js'
import { RunLoop } from './run-loop.js'
import type { Json, TaskExecutor } from './task-context.js'

export interface RunPipelineOptions {
  readonly store: StateStore
  /** A new run's id (the pipeline must have been loaded with the same id), or the run to resume. */
  readonly runId: string
  readonly resume?: boolean
  /** Tasks at once. Default: the pipeline's max_parallel, else the number of cores. */
  readonly concurrency?: number
  readonly signal?: AbortSignal
  readonly clock?: Clock
  readonly random?: () => number
  readonly executors?: Readonly<Record<string, TaskExecutor>>
  readonly events?: RunEvents
  /** Breakers by connection name; pass the same map to share them across runs. */
  readonly breakers?: Map<string, CircuitBreaker>
  /** How long running tasks get to stop after a cancel before they are recorded CANCELLED. */
  readonly graceMs?: number
  readonly heartbeatMs?: number
  readonly trigger?: string
  /** Backfill runs share a group id. */
  readonly groupId?: string
  /** The due time of the schedule fire this run is for. */
  readonly scheduledFor?: Date
  readonly actor?: string
  /** Where relative paths in tasks resolve (default: the pipeline file's folder). */
  readonly baseDir?: string
  /** Capacity for per-task `resources`. Default: this machine's cores. */
  readonly cpus?: number
  /** Connectors, DuckDB and the dataset store for extract and load tasks. */
  readonly dataPlane?: DataPlane
}

export interface TaskResult {
  readonly state: TaskState
  readonly attempts: number
  readonly error?: { readonly code: string; readonly message: string }
  readonly outputs?: Json
}

export interface RunResult {
  readonly runId: string
  readonly pipeline: string
  readonly state: RunState
  readonly durationMs: number
  readonly tasks: Readonly<Record<string, TaskResult>>
  readonly error?: { readonly code: string; readonly message: string }
}

/** A task that writes a dataset: its contract is enforced first, then its inline checks run. */
function dataTask(executor: TaskExecutor, plane: DataPlane): TaskExecutor {
  return withInlineChecks(withContract(executor, plane), plane)
}

/**
 * Runs (or resumes) a validated pipeline durably: every transition is written to the store
 * before it takes effect, so a killed process can be resumed where it stopped.
 */
export async function runPipeline(
  pipeline: CompiledPipeline,
  options: RunPipelineOptions,
): Promise<RunResult> {
  const clock = options.clock ?? systemClock
  const loop = new RunLoop(pipeline, {
    ...options,
    clock,
    random: options.random ?? Math.random,
    executors: {
      ...builtinExecutors,
      ...(options.dataPlane && {
        extract: dataTask(extractExecutor(pipeline.spec, options.dataPlane), options.dataPlane),
        load: loadExecutor(pipeline.spec, options.dataPlane),
        sql: dataTask(sqlExecutor(options.dataPlane, pipeline.spec), options.dataPlane),
        transform: dataTask(transformExecutor(pipeline.spec, options.dataPlane), options.dataPlane),
        check: checkExecutor(options.dataPlane),
      }),
      ...options.executors,
    },
    events: options.events ?? new RunEvents(),
    breakers: options.breakers ?? new Map<string, CircuitBreaker>(),
    graceMs: options.graceMs ?? 10_000,
    heartbeatMs: options.heartbeatMs ?? 2000,
    owner: `${hostname()}:${process.pid}`,
    actor: options.actor ?? 'engine',
    baseDir:
      options.baseDir ??
      (pipeline.file.startsWith('<') ? process.cwd() : dirname(resolve(pipeline.file))),
    runTimeoutMs:
      pipeline.spec.timeout === undefined ? undefined : parseDuration(pipeline.spec.timeout),
  })
  return loop.run()
}
