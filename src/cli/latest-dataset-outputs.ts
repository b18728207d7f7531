import type { TaskDatasetOutput } from '../observe/lineage-graph.js'
import type { StateStore } from '../state/state-store.js'
import { datasetOutputOf } from './dataset-output-of.js'

/**
 * The dataset outputs (path, rows, schema, column lineage) of each task's last successful attempt
 * in a pipeline's latest run, for the lineage graph; empty when the pipeline never ran.
 */
export async function latestDatasetOutputs(
  store: StateStore,
  pipeline: string,
): Promise<Record<string, TaskDatasetOutput>> {
  const byTask: Record<string, TaskDatasetOutput> = {}
  const run = (await store.listRuns({ pipeline, limit: 1 }))[0]
  if (!run) return byTask
  for (const t of await store.listTasks(run.id)) {
    const out = datasetOutputOf(
      [...t.attempts].reverse().find((a) => a.state === 'SUCCESS')?.outputs,
    )
    if (out) byTask[t.taskId] = out
  }
  return byTask
}
