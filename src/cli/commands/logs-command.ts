import { SluiceError } from '../../core/sluice-error.js'
import { withStore, type CliContext } from '../cli-context.js'

/** `sluice logs RUN_ID [TASK] [--json]`: captured output, oldest first. */
export async function logsCommand(
  ctx: CliContext,
  runId: string,
  task: string | undefined,
  opts: { json?: boolean },
): Promise<void> {
  const logs = await withStore(ctx, async (store) => {
    if (!(await store.getRun(runId)))
      throw new SluiceError('E_STATE_NOT_FOUND', `no run ${runId}`, {
        hint: 'list runs with: sluice runs',
      })
    return store.readLogs(runId, task)
  })
  if (opts.json) {
    ctx.io.out(JSON.stringify(logs, null, 2))
    return
  }
  for (const l of logs)
    ctx.io.out(
      `${l.at.slice(11, 23)} ${l.taskId}#${l.attempt + 1} ${l.stream === 'stderr' ? '! ' : ''}${l.text}`,
    )
}
