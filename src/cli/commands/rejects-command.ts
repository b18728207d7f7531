import { DataPlane } from '../../engine/data-plane.js'
import type { CliContext } from '../cli-context.js'
import { formatTable } from '../format-table.js'
import { readRejects } from '../read-rejects.js'

/** `sluice rejects RUN_ID TASK [--json]`: the records a task quarantined, with file, line and reason. */
export async function rejectsCommand(
  ctx: CliContext,
  runId: string,
  taskId: string,
  opts: { json?: boolean },
): Promise<void> {
  const plane = new DataPlane(ctx.workspace())
  try {
    const rows = (await readRejects(plane, runId, taskId)).rejects
    if (opts.json) ctx.io.out(JSON.stringify(rows, null, 2))
    else if (rows.length === 0) ctx.io.out(`no rejected records for task ${taskId} in run ${runId}`)
    else
      ctx.io.out(
        formatTable(
          ['WHERE', 'REASON', 'RAW'],
          rows.map((r) => [`${r.file}:${r.line}`, r.reason.slice(0, 80), r.raw.slice(0, 60)]),
        ),
      )
  } finally {
    await plane.close()
  }
}
