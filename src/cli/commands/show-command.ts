import { SluiceError } from '../../core/sluice-error.js'
import { withStore, type CliContext } from '../cli-context.js'
import { formatMs, formatTable } from '../format-table.js'

/** `sluice show RUN_ID [--json]`: the run and a task table with attempts, durations, rows and errors. */
export async function showCommand(
  ctx: CliContext,
  runId: string,
  opts: { json?: boolean },
): Promise<void> {
  const { run, tasks } = await withStore(ctx, async (store) => {
    const run = await store.getRun(runId)
    if (!run)
      throw new SluiceError('E_STATE_NOT_FOUND', `no run ${runId} in ${ctx.workspace()}`, {
        hint: 'list runs with: sluice runs',
      })
    return { run, tasks: await store.listTasks(runId) }
  })
  if (opts.json) {
    ctx.io.out(JSON.stringify({ ...run, tasks }, null, 2))
    return
  }
  const took =
    run.startedAt && run.finishedAt
      ? formatMs(Date.parse(run.finishedAt) - Date.parse(run.startedAt))
      : '-'
  ctx.io.out(
    `run ${run.id}  pipeline ${run.pipeline}  ${run.state}  ${took}  trigger ${run.trigger}`,
  )
  if (run.error) ctx.io.out(`error ${run.error.code}: ${run.error.message}`)
  ctx.io.out(
    formatTable(
      ['TASK', 'STATE', 'ATTEMPTS', 'DURATION', 'ROWS OUT', 'ERROR'],
      tasks.map((t) => {
        const started = t.attempts.filter((a) => a.startedAt !== null)
        const last = t.attempts[t.attempts.length - 1]
        const err = [...t.attempts].reverse().find((a) => a.error)?.error
        return [
          t.taskId,
          t.state,
          String(started.length),
          formatMs(last?.durationMs),
          last?.rowsOut != null ? String(last.rowsOut) : '-',
          t.state === 'SUCCESS' || !err ? '' : `${err.code}: ${err.message}`.slice(0, 120),
        ]
      }),
    ),
  )
}
