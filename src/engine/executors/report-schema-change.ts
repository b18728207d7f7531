import type { DatasetInfo } from '../../data/datasets/dataset-store.js'
import { formatSchemaDiff } from '../../data/types/format-schema-diff.js'
import { schemaDiff } from '../../data/types/schema-diff.js'
import type { DataPlane } from '../data-plane.js'
import type { Json, TaskContext } from '../task-context.js'

/**
 * Compares a task's new dataset with the one it produced in its previous kept run; a change is
 * logged (as a readable diff) and returned in the outputs, so drift shows before it breaks a load.
 */
export async function reportSchemaChange(
  ctx: TaskContext,
  plane: DataPlane,
  info: DatasetInfo,
): Promise<{ [key: string]: Json }> {
  const datasets = await plane.datasets()
  const previous = await datasets.previousRun(ctx.runId, ctx.taskId)
  if (previous === undefined) return {}
  const before = await datasets.describe(previous, ctx.taskId)
  const diff = schemaDiff(before.schema, info.schema)
  const changed =
    diff.added.length +
    diff.removed.length +
    diff.widened.length +
    diff.changed.length +
    diff.nullability.length
  if (changed === 0) return {}
  const text = formatSchemaDiff(diff)
  ctx.log(`schema changed since run ${previous}:\n${text}`, diff.compatible ? 'info' : 'stderr')
  return { schema_change: { since_run: previous, compatible: diff.compatible, diff: text } }
}
