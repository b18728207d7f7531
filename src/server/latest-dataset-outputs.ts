import { datasetOutputOf } from '../observe/dataset-output-of.js'
import type { TaskDatasetOutput } from '../observe/lineage-graph.js'
import { lastSuccessOutputs } from '../state/last-success-outputs.js'
import type { StateStore } from '../state/state-store.js'

/** What the latest run of a pipeline left for lineage and the Data page. */
export interface LatestDatasetOutputs {
  /** The latest run, or null when the pipeline never ran. */
  readonly runId: string | null
  /** Per task: dataset path, rows, schema and column lineage of its last successful attempt. */
  readonly outputs: Record<string, TaskDatasetOutput>
  /** Per task that quarantined records: how many, and where its rejects dataset is. */
  readonly rejects: Record<string, { rows: number; path: string | null }>
}

/** The dataset outputs of each task's last successful attempt in a pipeline's latest run. */
export async function latestDatasetOutputs(
  store: StateStore,
  pipeline: string,
): Promise<LatestDatasetOutputs> {
  const outputs: Record<string, TaskDatasetOutput> = {}
  const rejects: Record<string, { rows: number; path: string | null }> = {}
  const run = (await store.listRuns({ pipeline, limit: 1 }))[0]
  if (!run) return { runId: null, outputs, rejects }
  for (const t of await store.listTasks(run.id)) {
    const o = lastSuccessOutputs(t)
    const out = datasetOutputOf(o)
    if (!out) continue
    outputs[t.taskId] = out
    const { rejected, rejects_dataset: path } = o as {
      rejected?: unknown
      rejects_dataset?: unknown
    }
    if (typeof rejected === 'number' && rejected > 0)
      rejects[t.taskId] = { rows: rejected, path: typeof path === 'string' ? path : null }
  }
  return { runId: run.id, outputs, rejects }
}
