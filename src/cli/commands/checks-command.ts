import { SluiceError } from '../../core/sluice-error.js'
import { withStore, type CliContext } from '../cli-context.js'
import { formatTable } from '../format-table.js'

/**
 * `sluice checks RUN_ID [--task T] [--json]`: the quality checks of a run with their failing
 * counts and sample rows; `sluice checks --pipeline P [--check NAME] [--limit N]`: their history
 * over runs, newest first (what a chart of quality over time plots).
 */
export async function checksCommand(
  ctx: CliContext,
  runId: string | undefined,
  opts: { task?: string; pipeline?: string; check?: string; limit?: number; json?: boolean },
): Promise<void> {
  if (runId === undefined && opts.pipeline === undefined)
    throw new SluiceError('E_USAGE', 'name a run, or --pipeline for the history of its checks', {
      hint: 'sluice checks RUN_ID, or sluice checks --pipeline orders --check "not_null(id)"',
    })
  const results = await withStore(ctx, (store) =>
    store.listCheckResults({
      ...(runId !== undefined && { runId }),
      ...(opts.pipeline !== undefined && { pipeline: opts.pipeline }),
      ...(opts.task !== undefined && { taskId: opts.task }),
      ...(opts.check !== undefined && { name: opts.check }),
      limit: opts.limit ?? (runId === undefined ? 50 : 1000),
    }),
  )
  if (opts.json) {
    ctx.io.out(JSON.stringify(results, null, 2))
    return
  }
  if (results.length === 0) {
    ctx.io.out(
      runId === undefined ? `no check results for ${opts.pipeline}` : `no checks ran in ${runId}`,
    )
    return
  }
  const status = (s: string, severity: string) =>
    s === 'pass' ? 'pass' : severity === 'warn' ? 'WARN' : 'FAIL'
  ctx.io.out(
    formatTable(
      runId === undefined
        ? ['AT', 'RUN', 'TASK', 'CHECK', 'STATUS', 'FAILING', 'ROWS']
        : ['TASK', 'CHECK', 'STATUS', 'FAILING', 'ROWS', 'MESSAGE'],
      results.map((r) =>
        runId === undefined
          ? [
              r.at.replace('T', ' ').slice(0, 19),
              r.runId,
              r.taskId,
              r.name,
              status(r.status, r.severity),
              String(r.failing),
              String(r.total),
            ]
          : [
              r.taskId,
              r.name,
              status(r.status, r.severity),
              String(r.failing),
              String(r.total),
              r.status === 'pass' ? '' : r.message.slice(0, 80),
            ],
      ),
    ),
  )
  if (runId === undefined) return
  for (const r of results.filter((x) => x.sample.length > 0)) {
    ctx.io.out(`\n${r.taskId} ${r.name}: first failing rows`)
    for (const row of r.sample) ctx.io.out(`  ${JSON.stringify(row)}`)
  }
}
