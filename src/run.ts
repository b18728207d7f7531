import { DefinitionError } from './core/definition-error.js'
import type { PipelineDefinition } from './core/define-pipeline.js'
import { newRunId } from './core/new-run-id.js'
import { compilePipeline } from './definition/compile-pipeline.js'
import { loadPipelineFile, loadPipelineSpec } from './definition/load-pipeline.js'
import type { LoadedPipeline } from './definition/loaded-pipeline.js'
import type { Clock } from './engine/clock.js'
import type { RunEvents } from './engine/run-events.js'
import { DataPlane } from './engine/data-plane.js'
import { runPipeline, type RunResult } from './engine/run-pipeline.js'
import type { TaskExecutor } from './engine/task-context.js'
import { openStateStore } from './state/open-state-store.js'
import type { StateStore } from './state/state-store.js'

export interface RunOptions {
  /** Values for declared params. */
  readonly params?: Readonly<Record<string, unknown>>
  /** Default: SQLite in `workspace` (or PostgreSQL when SLUICE_STATE_URL is set). */
  readonly store?: StateStore
  /** Default: $SLUICE_HOME or ./.sluice. */
  readonly workspace?: string
  readonly signal?: AbortSignal
  readonly select?: readonly string[]
  readonly exclude?: readonly string[]
  readonly concurrency?: number
  readonly events?: RunEvents
  readonly runId?: string
  readonly executors?: Readonly<Record<string, TaskExecutor>>
  readonly clock?: Clock
}

/**
 * Runs a pipeline — a file path, a spec, or what `definePipeline` returns — and resolves with a
 * typed result. Invalid definitions reject with a DefinitionError listing every issue.
 *
 * @example
 * const result = await run('pipelines/orders.yaml', { params: { day: '2026-01-31' } })
 * if (result.state !== 'SUCCESS') process.exitCode = 1
 */
export async function run(
  pipeline: string | PipelineDefinition,
  options: RunOptions = {},
): Promise<RunResult> {
  let runId = options.runId
  const load = async (id: string) => {
    if (typeof pipeline === 'string')
      return loadPipelineFile(pipeline, { params: options.params, run: { runId: id } })
    const spec =
      typeof pipeline === 'function'
        ? await pipeline({ params: stringify(options.params), env: process.env })
        : pipeline
    return loadPipelineSpec(spec, { params: options.params, run: { runId: id } })
  }
  if (runId === undefined) {
    // the id contains the pipeline name, which is known only once loaded
    const probe = await load('pending')
    if (!probe.spec) throw new DefinitionError(probe.issues)
    runId = newRunId(probe.spec.name)
  }
  const loaded: LoadedPipeline = await load(runId)
  const compiled = compilePipeline(loaded, {
    select: options.select ?? [],
    exclude: options.exclude ?? [],
  })
  const store =
    options.store ??
    (await openStateStore({
      workspace: options.workspace ?? process.env.SLUICE_HOME ?? '.sluice',
      url: process.env.SLUICE_STATE_URL,
      mask: loaded.secrets,
    }))
  const dataPlane = new DataPlane(options.workspace ?? process.env.SLUICE_HOME ?? '.sluice')
  try {
    return await runPipeline(compiled, {
      store,
      runId,
      dataPlane,
      ...(options.signal && { signal: options.signal }),
      ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      ...(options.events && { events: options.events }),
      ...(options.executors && { executors: options.executors }),
      ...(options.clock && { clock: options.clock }),
    })
  } finally {
    await dataPlane.close()
    if (!options.store) await store.close()
  }
}

function stringify(params: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params ?? {}).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  )
}
