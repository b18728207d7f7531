import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { SluiceError } from '../../core/sluice-error.js'
import type { TaskSpecOf } from '../../core/spec/pipeline-spec.js'
import { quoteIdentifier } from '../../data/duckdb/quote-identifier.js'
import type { DataPlane } from '../data-plane.js'
import { datasetOutputs } from './dataset-outputs.js'
import type { TaskExecutor, TaskOutcome } from '../task-context.js'

/**
 * `sql` (DuckDB): the query runs over the datasets of the upstream tasks, each visible under its
 * task id, and its result becomes this task's dataset. Upstream datasets are bound as CTEs around
 * the query, so concurrent tasks share no session state.
 */
export function sqlExecutor(plane: DataPlane): TaskExecutor {
  return {
    type: 'sql',
    async execute(ctx): Promise<TaskOutcome> {
      const task = ctx.task as TaskSpecOf<'sql'>
      if (task.connection !== undefined) {
        throw new SluiceError(
          'E_EXECUTOR_MISSING',
          'sql tasks with connection: (SQL inside a database) cannot run yet in this version',
          {
            retryable: false,
            task: ctx.taskId,
          },
        )
      }
      const query = task.sql ?? (await readFile(resolve(ctx.baseDir, task.file!), 'utf8'))
      const datasets = await plane.datasets()
      const inputs = Object.entries(ctx.upstream).filter(
        ([, o]) => (o as { dataset?: string } | undefined)?.dataset !== undefined,
      )
      const ctes = inputs.map(
        ([id]) => `${quoteIdentifier(id)} AS (SELECT * FROM ${datasets.sqlRef(ctx.runId, id)})`,
      )
      const body = query.trim().replace(/;+\s*$/, '')
      const sql = ctes.length ? `WITH ${ctes.join(', ')} SELECT * FROM (${body})` : body
      const info = await datasets.writeQuery(ctx.runId, ctx.taskId, sql)
      ctx.metric('rows_out', info.rowCount)
      return { outputs: datasetOutputs(info) }
    },
  }
}
