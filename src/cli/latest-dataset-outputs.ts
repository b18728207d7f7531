import type { TaskDatasetOutput } from '../observe/lineage-graph.js'
import type { StateStore } from '../state/state-store.js'

/**
 * The dataset outputs (path, rows, schema) of each task's last successful attempt in a
 * pipeline's latest run, for the lineage graph; empty when the pipeline never ran.
 */
export async function latestDatasetOutputs(
  store: StateStore,
  pipeline: string,
): Promise<Record<string, TaskDatasetOutput>> {
  const byTask: Record<string, TaskDatasetOutput> = {}
  const run = (await store.listRuns({ pipeline, limit: 1 }))[0]
  if (!run) return byTask
  for (const t of await store.listTasks(run.id)) {
    const o = [...t.attempts].reverse().find((a) => a.state === 'SUCCESS')?.outputs
    if (o === null || o === undefined || typeof o !== 'object' || Array.isArray(o)) continue
    const rec = o as Record<string, unknown>
    byTask[t.taskId] = {
      ...(typeof rec.dataset === 'string' && { dataset: rec.dataset }),
      ...(typeof rec.rows === 'number' && { rows: rec.rows }),
      ...(Array.isArray(rec.schema) && {
        schema: rec.schema.filter((c): c is string => typeof c === 'string'),
      }),
    }
  }
  return byTask
}
