import { SluiceError } from '../../core/sluice-error.js'
import { withStore, type CliContext } from '../cli-context.js'
import { formatTable } from '../format-table.js'
import { resumeCommand } from './resume-command.js'

/** `sluice dlq list | show ID | requeue ID | purge [ID…] --all`: tasks that exhausted their retries. */
export async function dlqCommand(
  ctx: CliContext,
  action: string,
  ids: string[],
  opts: { json?: boolean; all?: boolean },
): Promise<void> {
  const num = (s: string) => {
    const n = Number(s)
    if (!Number.isInteger(n) || n < 1)
      throw new SluiceError('E_USAGE', `dead letter id must be a number, not "${s}"`)
    return n
  }
  switch (action) {
    case 'list': {
      const items = await withStore(ctx, (s) => s.listDeadLetters())
      if (opts.json) ctx.io.out(JSON.stringify(items, null, 2))
      else if (items.length === 0) ctx.io.out('no dead letters')
      else
        ctx.io.out(
          formatTable(
            ['ID', 'RUN', 'TASK', 'ATTEMPT', 'WHEN', 'REQUEUED', 'ERROR'],
            items.map((d) => [
              String(d.id),
              d.runId,
              d.taskId,
              String(d.attempt + 1),
              d.createdAt.slice(0, 19),
              d.requeuedAt ? 'yes' : '',
              `${d.error.code}: ${d.error.message}`.slice(0, 100),
            ]),
          ),
        )
      return
    }
    case 'show': {
      const id = num(ids[0] ?? '')
      const d = await withStore(ctx, (s) => s.getDeadLetter(id))
      if (!d)
        throw new SluiceError('E_STATE_NOT_FOUND', `no dead letter ${id}`, {
          hint: 'list them with: sluice dlq list',
        })
      ctx.io.out(JSON.stringify(d, null, 2))
      return
    }
    case 'requeue': {
      const id = num(ids[0] ?? '')
      const d = await withStore(ctx, async (s) => {
        const found = await s.getDeadLetter(id)
        if (!found)
          throw new SluiceError('E_STATE_NOT_FOUND', `no dead letter ${id}`, {
            hint: 'list them with: sluice dlq list',
          })
        await s.markRequeued(id)
        return found
      })
      ctx.io.err(`requeued dead letter ${id}: resuming run ${d.runId}`)
      return resumeCommand(ctx, d.runId, opts)
    }
    case 'purge': {
      if (ids.length === 0 && !opts.all)
        throw new SluiceError('E_USAGE', 'name the dead letters to purge, or pass --all')
      const n = await withStore(ctx, (s) => s.purgeDeadLetters(opts.all ? undefined : ids.map(num)))
      ctx.io.out(`purged ${n} dead letter(s)`)
      return
    }
    default:
      throw new SluiceError('E_USAGE', `unknown dlq action "${action}"`, {
        hint: 'use list, show, requeue or purge',
      })
  }
}
