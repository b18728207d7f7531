import type { DataPlane } from '../data-plane.js'
import type { Json, TaskExecutor } from '../task-context.js'
import { upstreamRelations } from './input-dataset.js'
import { runTaskChecks } from './run-task-checks.js'

/**
 * Inline `checks:` on a task that produces a dataset (extract, sql, transform): they run over the
 * dataset it just wrote, and a failing `error` check fails the task, so nothing downstream reads
 * the bad data. Upstream datasets are visible by task id to referential and sql checks.
 */
export function withInlineChecks(executor: TaskExecutor, plane: DataPlane): TaskExecutor {
  return {
    type: executor.type,
    async execute(ctx) {
      const outcome = await executor.execute(ctx)
      const checks = ctx.task.checks
      const outputs = outcome.outputs as { [key: string]: Json } | undefined
      if (checks === undefined || checks.length === 0 || outputs?.dataset === undefined)
        return outcome
      const datasets = await plane.datasets()
      const relations = upstreamRelations(ctx, datasets)
      const checked = await runTaskChecks(
        ctx,
        plane,
        checks,
        { sql: datasets.sqlRef(ctx.runId, ctx.taskId), relations },
        `the output of ${ctx.taskId}`,
      )
      return { outputs: { ...outputs, ...checked } }
    },
  }
}
