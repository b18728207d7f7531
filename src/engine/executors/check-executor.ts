import type { TaskSpecOf } from '../../core/spec/pipeline-spec.js'
import type { DataPlane } from '../data-plane.js'
import type { TaskExecutor } from '../task-context.js'
import { inputDatasetId, upstreamRelations } from './input-dataset.js'
import { runTaskChecks } from './run-task-checks.js'

/**
 * `check`: quality checks over an upstream dataset (`input:`, or the only one). Every upstream
 * dataset is visible by its task id to `referential` and `sql` checks, the checked one also as
 * `input`. A failing `error` check fails the task, so the loads downstream of it do not run.
 */
export function checkExecutor(plane: DataPlane): TaskExecutor {
  return {
    type: 'check',
    async execute(ctx) {
      const task = ctx.task as TaskSpecOf<'check'>
      const inputId = inputDatasetId(ctx, task.input)
      const datasets = await plane.datasets()
      const relations = upstreamRelations(ctx, datasets)
      const outputs = await runTaskChecks(
        ctx,
        plane,
        task.checks,
        { sql: relations[inputId]!, relations },
        `dataset ${inputId}`,
      )
      return { outputs }
    },
  }
}
