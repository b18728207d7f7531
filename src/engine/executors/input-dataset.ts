import { SluiceError } from '../../core/sluice-error.js'
import type { DatasetStore } from '../../data/datasets/dataset-store.js'
import type { TaskContext } from '../task-context.js'

/** The upstream tasks that produced a dataset, by task id. */
export function upstreamDatasets(ctx: TaskContext): string[] {
  return Object.entries(ctx.upstream)
    .filter(([, o]) => (o as { dataset?: unknown } | undefined)?.dataset !== undefined)
    .map(([id]) => id)
}

/**
 * The dataset a `load`, `transform` or `check` task reads: `input:` when given, else the only
 * upstream task that produced one.
 */
export function inputDatasetId(ctx: TaskContext, input: string | undefined): string {
  const producers = upstreamDatasets(ctx)
  const id = input ?? (producers.length === 1 ? producers[0] : undefined)
  if (id === undefined || !producers.includes(id))
    throw new SluiceError(
      'E_INPUT_INVALID',
      id === undefined
        ? `${ctx.task.type} ${ctx.taskId} has ${producers.length === 0 ? 'no upstream dataset' : `several upstream datasets (${producers.join(', ')})`} to read`
        : `${ctx.task.type} ${ctx.taskId} reads ${id}, which produced no dataset in this run`,
      {
        retryable: false,
        task: ctx.taskId,
        hint:
          producers.length > 1
            ? `name one with input: (${producers.join(', ')})`
            : 'depend on an extract, sql or transform task',
      },
    )
  return id
}

/** Every upstream dataset as a DuckDB relation, by task id (for joins, referential checks, SQL). */
export function upstreamRelations(
  ctx: TaskContext,
  datasets: DatasetStore,
): Record<string, string> {
  return Object.fromEntries(upstreamDatasets(ctx).map((id) => [id, datasets.sqlRef(ctx.runId, id)]))
}
