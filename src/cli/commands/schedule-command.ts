import { SluiceError } from '../../core/sluice-error.js'
import { withStore, type CliContext } from '../cli-context.js'
import { formatTable } from '../format-table.js'

/**
 * `sluice schedule list | pause PIPELINE --reason … | resume PIPELINE`: the pause switch lives in
 * the state store, so a running `sluice serve` on the same state sees it at its next tick.
 */
export async function scheduleCommand(
  ctx: CliContext,
  action: string,
  pipeline: string | undefined,
  opts: { reason?: string; json?: boolean },
): Promise<void> {
  await withStore(ctx, async (store) => {
    if (action === 'list') {
      const all = await store.listSchedules()
      if (opts.json) return ctx.io.out(JSON.stringify(all, null, 2))
      if (all.length === 0)
        return ctx.io.out('no schedule was ever paused or resumed (all scheduled pipelines run)')
      ctx.io.out(
        formatTable(
          ['PIPELINE', 'STATE', 'SINCE', 'BY', 'REASON'],
          all.map((s) => [
            s.pipeline,
            s.paused ? 'paused' : 'active',
            s.updatedAt.replace('T', ' ').slice(0, 19),
            s.updatedBy,
            s.reason ?? '',
          ]),
        ),
      )
      return
    }
    if (action !== 'pause' && action !== 'resume')
      throw new SluiceError('E_USAGE', `unknown schedule action ${action}`, {
        hint: 'use list, pause PIPELINE --reason "…" or resume PIPELINE',
      })
    if (pipeline === undefined)
      throw new SluiceError('E_USAGE', `schedule ${action} needs a pipeline name`)
    const rec = await store.setSchedulePaused(pipeline, action === 'pause', {
      ...(opts.reason !== undefined && { reason: opts.reason }),
      actor: ctx.actor,
      at: new Date(),
    })
    if (opts.json) ctx.io.out(JSON.stringify(rec, null, 2))
    else
      ctx.io.out(
        `${pipeline}: ${rec.paused ? `paused (${rec.reason ?? 'no reason given'})` : 'resumed'}`,
      )
  })
}
