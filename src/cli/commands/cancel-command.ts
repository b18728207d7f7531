import { SluiceError } from '../../core/sluice-error.js'
import { withStore, type CliContext } from '../cli-context.js'
import { isOrphaned } from './resume-command.js'

/** `sluice cancel RUN_ID`: asks the process running it to stop (it checks every couple of seconds). */
export async function cancelCommand(ctx: CliContext, runId: string): Promise<void> {
  await withStore(ctx, async (store) => {
    const run = await store.getRun(runId)
    if (!run)
      throw new SluiceError('E_STATE_NOT_FOUND', `no run ${runId}`, {
        hint: 'list runs with: sluice runs',
      })
    if (run.state !== 'RUNNING' && run.state !== 'QUEUED') {
      throw new SluiceError(
        'E_RUN_NOT_RESUMABLE',
        `run ${runId} is ${run.state}; only running runs can be cancelled`,
      )
    }
    await store.requestCancel(runId, new Date(), ctx.actor)
    if (isOrphaned(run)) {
      ctx.io.out(
        `run ${runId} has no live process (${run.owner ?? 'unknown'}); it will be marked when resumed: sluice resume ${runId}`,
      )
    } else
      ctx.io.out(
        `cancel requested for run ${runId}; the running process stops it within a few seconds`,
      )
  })
}
