import { RUN_STATES, type RunState } from '../../core/state/run-state.js'
import { SluiceError } from '../../core/sluice-error.js'
import { withStore, type CliContext } from '../cli-context.js'
import { formatMs, formatTable } from '../format-table.js'

/** `sluice runs [--pipeline P] [--state S] [--limit N] [--json]`: newest first. */
export async function runsCommand(
  ctx: CliContext,
  opts: { pipeline?: string; state?: string; limit?: number; json?: boolean },
): Promise<void> {
  const state = opts.state?.toUpperCase()
  if (state !== undefined && !(RUN_STATES as readonly string[]).includes(state)) {
    throw new SluiceError('E_USAGE', `unknown state ${opts.state}`, {
      hint: `use one of ${RUN_STATES.join(', ')}`,
    })
  }
  const runs = await withStore(ctx, (store) =>
    store.listRuns({
      ...(opts.pipeline !== undefined && { pipeline: opts.pipeline }),
      ...(state !== undefined && { state: state as RunState }),
      limit: opts.limit ?? 20,
    }),
  )
  if (opts.json) {
    ctx.io.out(JSON.stringify(runs, null, 2))
    return
  }
  if (runs.length === 0) {
    ctx.io.out(`no runs in ${ctx.workspace()}`)
    return
  }
  ctx.io.out(
    formatTable(
      ['RUN', 'PIPELINE', 'STATE', 'STARTED', 'DURATION', 'TRIGGER'],
      runs.map((r) => [
        r.id,
        r.pipeline,
        r.state,
        (r.startedAt ?? r.createdAt).replace('T', ' ').slice(0, 19),
        formatMs(
          r.startedAt && r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : null,
        ),
        r.trigger,
      ]),
    ),
  )
}
