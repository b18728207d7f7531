import type { DataPlane } from '../engine/data-plane.js'
import { rejectsDatasetId } from '../engine/executors/quarantine-rejects.js'
import type { RejectInfo } from '../server/service-control.js'

/**
 * The records a task quarantined in a run (its rejects dataset: file, line, reason, raw), in the
 * order they were found; at most `limit`, and how many there are in all.
 */
export async function readRejects(
  plane: DataPlane,
  runId: string,
  taskId: string,
  limit = Number.POSITIVE_INFINITY,
): Promise<{ rejects: RejectInfo[]; total: number }> {
  const datasets = await plane.datasets()
  const id = rejectsDatasetId(taskId)
  const rejects: RejectInfo[] = []
  let total = 0
  if (!datasets.exists(runId, id)) return { rejects, total }
  for await (const b of datasets.read(runId, id)) {
    for (const [file, line, reason, raw] of b.rows) {
      total++
      if (rejects.length < limit)
        rejects.push({
          file: String(file),
          line: Number(line),
          reason: String(reason),
          raw: String(raw),
        })
    }
  }
  return { rejects, total }
}
