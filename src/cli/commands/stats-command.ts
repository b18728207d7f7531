import { parseDuration } from '../../core/duration.js'
import { SluiceError } from '../../core/sluice-error.js'
import { computeStats, type PipelineStats, type RunHistory } from '../../observe/compute-stats.js'
import { withStore, type CliContext } from '../cli-context.js'
import { formatMs, formatTable } from '../format-table.js'

export interface StatsCommandOptions {
  readonly pipeline?: string
  /** Only runs created within this duration (`7d`, `12h`); default: every run. */
  readonly since?: string
  /** Also a table per task. */
  readonly tasks?: boolean
  readonly json?: boolean
}

/** At most this many runs are read (newest first). */
const MAX_RUNS = 10_000

/**
 * `sluice stats [--pipeline P] [--since 7d] [--tasks] [--json]`: per pipeline the success rate,
 * runs by state, mean and p95 run duration and rows in/out, from the state store (the numbers of
 * `computeStats`), and per task with `--tasks`. For users without Prometheus.
 */
export async function statsCommand(ctx: CliContext, opts: StatsCommandOptions): Promise<void> {
  let cutoff: number | undefined
  if (opts.since !== undefined) {
    const ms = parseDuration(opts.since)
    if (ms === undefined || ms <= 0)
      throw new SluiceError('E_USAGE', `--since ${opts.since} is not a duration`, {
        hint: 'e.g. --since 7d, --since 12h',
      })
    cutoff = Date.now() - ms
  }
  const history = await withStore(ctx, async (store) => {
    const runs = await store.listRuns({
      ...(opts.pipeline !== undefined && { pipeline: opts.pipeline }),
      limit: MAX_RUNS,
    })
    const out: RunHistory[] = []
    for (const run of runs) {
      if (cutoff !== undefined && Date.parse(run.createdAt) < cutoff) continue
      out.push({ run, tasks: await store.listTasks(run.id) })
    }
    return out
  })
  const stats = computeStats(history)
  if (opts.json) {
    ctx.io.out(JSON.stringify(stats, null, 2))
    return
  }
  if (stats.length === 0) {
    const what = opts.pipeline !== undefined ? ` of pipeline ${opts.pipeline}` : ''
    const when = opts.since !== undefined ? ` in the last ${opts.since}` : ''
    ctx.io.out(`no runs${what}${when} in ${ctx.workspace()}`)
    return
  }
  ctx.io.out(pipelineTable(stats))
  if (opts.tasks) for (const p of stats) ctx.io.out(`\n${p.pipeline}\n${taskTable(p)}`)
}

const percent = (rate: number | null): string =>
  rate === null ? '-' : `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)}%`

function pipelineTable(stats: readonly PipelineStats[]): string {
  return formatTable(
    [
      'PIPELINE',
      'RUNS',
      'SUCCESS',
      'OK',
      'FAILED',
      'CANCELLED',
      'ACTIVE',
      'MEAN',
      'P95',
      'ROWS IN',
      'ROWS OUT',
      'LAST',
    ],
    stats.map((p) => [
      p.pipeline,
      String(p.runs),
      percent(p.successRate),
      String(p.succeeded),
      String(p.failed),
      String(p.cancelled),
      String(p.active),
      formatMs(p.duration.meanMs),
      formatMs(p.duration.p95Ms),
      String(p.rowsIn),
      String(p.rowsOut),
      p.lastRunAt === null
        ? '-'
        : `${p.lastRunAt.replace('T', ' ').slice(0, 19)} ${p.lastState ?? ''}`,
    ]),
  )
}

function taskTable(p: PipelineStats): string {
  return formatTable(
    ['TASK', 'ATTEMPTS', 'OK', 'FAILED', 'RETRIES', 'MEAN', 'P95', 'ROWS IN', 'ROWS OUT'],
    p.tasks.map((t) => [
      `  ${t.task}`,
      String(t.attempts),
      String(t.succeeded),
      String(t.failed),
      String(t.retries),
      formatMs(t.duration.meanMs),
      formatMs(t.duration.p95Ms),
      String(t.rowsIn),
      String(t.rowsOut),
    ]),
  )
}
