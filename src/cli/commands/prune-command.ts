import { rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseDuration } from '../../core/duration.js'
import { SluiceError } from '../../core/sluice-error.js'
import { loadPipelineFile } from '../../definition/load-pipeline.js'
import { withStore, type CliContext } from '../cli-context.js'

const DEFAULT_RETENTION = '30d'

/**
 * `sluice prune [--older-than 30d] [FILES…]`: deletes finished runs (with their tasks, logs,
 * checkpoints and events) past a retention; with pipeline files, each file's `retention:` applies.
 */
export async function pruneCommand(
  ctx: CliContext,
  files: string[],
  opts: { olderThan?: string; json?: boolean },
): Promise<void> {
  const ms = (text: string) => {
    const v = parseDuration(text)
    if (v === undefined)
      throw new SluiceError('E_USAGE', `--older-than ${text} is not a duration`, {
        hint: 'e.g. 30d, 12h',
      })
    return v
  }
  const targets: { pipeline?: string; ms: number }[] = []
  if (files.length === 0) targets.push({ ms: ms(opts.olderThan ?? DEFAULT_RETENTION) })
  for (const f of files) {
    const loaded = await loadPipelineFile(resolve(ctx.io.cwd, f), {
      env: ctx.io.env,
      envUnset: 'warning',
    })
    if (!loaded.spec) throw new SluiceError('E_USAGE', `${f} has errors; run sluice validate ${f}`)
    const retention = opts.olderThan ?? loaded.spec.retention ?? DEFAULT_RETENTION
    targets.push({
      pipeline: loaded.spec.name,
      ms: typeof retention === 'number' ? retention * 1000 : ms(retention),
    })
  }
  const results = await withStore(ctx, async (store) => {
    const out = []
    for (const t of targets) {
      const cutoff = new Date(Date.now() - t.ms)
      // datasets live in the workspace, beside the store: remove those of the runs pruned
      const old = (
        await store.listRuns({
          ...(t.pipeline !== undefined && { pipeline: t.pipeline }),
          limit: 1_000_000,
        })
      ).filter((r) => r.finishedAt !== null && Date.parse(r.finishedAt) < cutoff.getTime())
      for (const r of old)
        await rm(join(ctx.workspace(), 'datasets', r.id), { recursive: true, force: true })
      out.push({
        pipeline: t.pipeline ?? '*',
        datasets: old.length,
        ...(await store.prune(cutoff, t.pipeline)),
      })
    }
    return out
  })
  if (opts.json) ctx.io.out(JSON.stringify(results, null, 2))
  else
    for (const r of results)
      ctx.io.out(
        `pruned ${r.runs} run(s) with ${r.datasets} dataset folder(s), ${r.tasks} task(s), ${r.logs} log line(s), ${r.checkpoints} checkpoint(s), ${r.events} event(s) of ${r.pipeline}`,
      )
}
