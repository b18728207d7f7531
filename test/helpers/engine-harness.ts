import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compilePipeline } from '../../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../../src/definition/load-pipeline.js'
import type { CompiledPipeline } from '../../src/core/compiled-pipeline.js'
import type { ManualClock } from '../../src/engine/manual-clock.js'
import type { TaskContext, TaskExecutor, TaskOutcome } from '../../src/engine/task-context.js'
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js'

/** Compiles YAML text for a run; throws with every issue if it is invalid. */
export function compileYaml(
  text: string,
  runId = 'run-1',
  options: { select?: string[] } = {},
): CompiledPipeline {
  const loaded = loadPipelineText(text, { displayName: 'test.yaml', env: {}, run: { runId } })
  return compilePipeline(loaded, { select: options.select ?? [] })
}

/** A fresh SQLite store in a temp dir; `cleanup` closes and removes it. */
export async function tempStore(): Promise<{
  store: SqliteStateStore
  dir: string
  cleanup: () => Promise<void>
}> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-engine-'))
  const store = await SqliteStateStore.open({ path: join(dir, 'state.db') })
  return {
    store,
    dir,
    cleanup: async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A `function` executor that dispatches to in-test handlers by task id, counting calls. */
export function scriptedExecutor(
  handlers: Record<string, (ctx: TaskContext) => Promise<TaskOutcome | void> | TaskOutcome | void>,
): TaskExecutor & { calls: Record<string, number> } {
  const calls: Record<string, number> = {}
  return {
    type: 'function',
    calls,
    async execute(ctx) {
      calls[ctx.taskId] = (calls[ctx.taskId] ?? 0) + 1
      const h = handlers[ctx.taskId]
      return (h ? await h(ctx) : undefined) ?? {}
    },
  }
}

/** Wakes a ManualClock's sleepers as soon as anything sleeps, until stopped. */
export function autoAdvance(clock: ManualClock): () => void {
  const t = setInterval(() => clock.advanceToNext(), 1)
  return () => clearInterval(t)
}

/** Resolves after `ms` of real time. */
export const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
