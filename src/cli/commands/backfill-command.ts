import { createHash } from 'node:crypto'
import { dirname, resolve } from 'node:path'
import { newRunId } from '../../core/new-run-id.js'
import { SluiceError } from '../../core/sluice-error.js'
import { compilePipeline } from '../../definition/compile-pipeline.js'
import { loadPipelineFile } from '../../definition/load-pipeline.js'
import { DataPlane } from '../../engine/data-plane.js'
import { runPipeline, type RunResult } from '../../engine/run-pipeline.js'
import { backfillIntervals } from '../../scheduler/backfill-intervals.js'
import type { DataInterval } from '../../scheduler/next-fire-times.js'
import { runBackfill } from '../../scheduler/run-backfill.js'
import { resolveSchedule } from '../../scheduler/scheduler.js'
import type { JsonObject } from '../../state/records.js'
import type { StateStore } from '../../state/state-store.js'
import type { CliContext } from '../cli-context.js'
import { CliExit, EXIT } from '../cli-io.js'
import { formatMs } from '../format-table.js'
import { loadForCli } from '../load-for-cli.js'
import { withoutIncremental } from '../without-incremental.js'
import { parseParamArgs } from '../parse-param-args.js'
import { isOrphaned } from './resume-command.js'

export interface BackfillCommandOptions {
  /** Inclusive start: a date (`2026-01-01`, UTC midnight) or an ISO instant. */
  readonly from?: string
  /** Exclusive end: no interval ends after it. */
  readonly to?: string
  /** Interval step when the pipeline has no schedule (or to override it). Default 1d. */
  readonly every?: string
  /** Runs at once. Default 4. */
  readonly concurrency?: number
  readonly param?: string[]
  /** Continue this backfill group (default: the group these arguments name). */
  readonly resume?: string
  /** Backfill a pipeline with incremental extracts anyway. */
  readonly allowIncremental?: boolean
  readonly json?: boolean
}

/** How one interval ended, for the per-run line and the summary. */
interface Outcome {
  readonly interval: DataInterval
  readonly runId: string
  readonly state: string
  /** `new`: launched now; `resumed`: an earlier run of the group continued; `kept`: done before. */
  readonly how: 'new' | 'resumed' | 'kept' | 'busy'
  readonly durationMs?: number
  readonly error?: string
}

/**
 * `sluice backfill FILE --from D --to D [--every 1d] [--concurrency 4] [--param k=v]
 * [--resume GROUP] [--allow-incremental] [--json]`: one `backfill` run per interval (the
 * pipeline's schedule gives the intervals, else `--every`), each loaded with its data interval,
 * run in this process with at most `--concurrency` at once, all in one group. Resumable: the
 * group id is derived from the arguments (or given with `--resume`), and running it again keeps
 * intervals whose run succeeded, resumes failed, cancelled and orphaned ones, and launches the
 * rest. Refuses pipelines with incremental extracts (a backfill would move the watermark regular
 * runs rely on) unless `--allow-incremental`. Exit 0 when every interval succeeded.
 */
export async function backfillCommand(
  ctx: CliContext,
  file: string,
  opts: BackfillCommandOptions,
): Promise<void> {
  const { io } = ctx
  const path = resolve(io.cwd, file)
  const params = parseParamArgs(opts.param ?? [])
  if (opts.from === undefined || opts.to === undefined)
    throw new SluiceError('E_USAGE', 'a backfill needs --from and --to', {
      hint: 'e.g. --from 2026-01-01 --to 2026-02-01 (the end is exclusive)',
    })
  const from = parseInstant('--from', opts.from)
  const to = parseInstant('--to', opts.to)
  const probe = await loadForCli(io, path, { params, envUnset: 'error', quietWarnings: true })
  const spec = probe.spec
  const incremental = Object.entries(spec.tasks)
    .filter(([, t]) => {
      const task = t as { type: string; source?: { incremental?: unknown } }
      return task.type === 'extract' && task.source?.incremental !== undefined
    })
    .map(([id]) => id)
  // incremental extracts of a pipeline that selects by data interval read their interval in a
  // backfill, leaving the regular runs' watermark alone; otherwise a backfill would move it
  const byInterval =
    incremental.length > 0 &&
    !opts.allowIncremental &&
    /\b(data_interval_start|data_interval_end|logical_date)\b/.test(probe.source)
  if (incremental.length > 0 && !opts.allowIncremental && !byInterval)
    throw new SluiceError(
      'E_USAGE',
      `pipeline ${spec.name} has incremental extracts (${incremental.join(', ')}) that do not select by {{ data_interval_start }}; a backfill would read everything and move the watermark its regular runs read from`,
      {
        hint: 'filter the source on {{ data_interval_start }} / {{ data_interval_end }} (backfill runs then read their interval and leave the watermark alone), or pass --allow-incremental if moving the watermark is intended',
      },
    )
  if (byInterval)
    io.err(
      `note: ${incremental.join(', ')} read each backfill interval without the incremental watermark (left as the regular runs committed it)`,
    )
  else if (incremental.length > 0)
    io.err(
      `warning: --allow-incremental: backfill runs will move the watermark of ${incremental.join(', ')}`,
    )

  const schedule = spec.schedule
  const intervals = backfillIntervals({
    from,
    to,
    ...(opts.every === undefined && schedule !== undefined
      ? { schedule: resolveSchedule(schedule) }
      : { every: opts.every ?? '1d' }),
  })
  const scheduleParams =
    opts.every === undefined && schedule !== undefined ? resolveSchedule(schedule).params : {}
  const runParams: JsonObject = { ...scheduleParams, ...params }
  const groupId =
    opts.resume ??
    `backfill-${spec.name}-${createHash('sha256')
      .update(
        JSON.stringify([
          from.toISOString(),
          to.toISOString(),
          opts.every ?? null,
          Object.entries(runParams).sort(),
        ]),
      )
      .digest('hex')
      .slice(0, 10)}`
  const concurrency = opts.concurrency ?? 4

  const ctl = new AbortController()
  let signals = 0
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) process.exit(EXIT.cancelled)
    io.err(`${sig}: cancelling backfill ${groupId} (again to exit at once)`)
    ctl.abort()
  }
  const store = await ctx.openStore(probe.secrets)
  const plane = new DataPlane(ctx.workspace())
  const outcomes: Outcome[] = []
  const jobs: Promise<void>[] = []
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    if (opts.resume !== undefined) {
      const earlier = await store.listRuns({ groupId, limit: 1 })
      if (earlier.length === 0)
        throw new SluiceError(
          'E_STATE_NOT_FOUND',
          `no backfill group ${groupId} in ${ctx.workspace()}`,
          {
            hint: 'find group ids with: sluice runs --json (groupId)',
          },
        )
      if (earlier[0]!.pipeline !== spec.name)
        throw new SluiceError(
          'E_USAGE',
          `backfill group ${groupId} belongs to pipeline ${earlier[0]!.pipeline}, not ${spec.name}`,
        )
    }
    if (!opts.json)
      io.out(
        `backfill ${groupId}: ${intervals.length} interval(s) of ${spec.name}, ${concurrency} at once`,
      )
    const slots = limiter(concurrency)
    const report = (o: Outcome) => {
      outcomes.push(o)
      if (opts.json) return io.out(JSON.stringify({ event: 'backfill:run', groupId, ...o }))
      const span = `${o.interval.start.toISOString()} .. ${o.interval.end.toISOString()}`
      const how =
        o.how === 'kept'
          ? ' (succeeded before, kept)'
          : o.how === 'resumed'
            ? ' (resumed)'
            : o.how === 'busy'
              ? ' (another process is running it; left alone)'
              : ''
      const took = o.durationMs !== undefined ? ` in ${formatMs(o.durationMs)}` : ''
      io.out(`${span}  ${o.runId}  ${o.state}${took}${how}${o.error ? `: ${o.error}` : ''}`)
    }
    // runs one interval's run (new or resumed) in a slot, and reports how it ended
    const execute = async (
      interval: DataInterval,
      runId: string,
      how: 'new' | 'resumed',
      runParams: JsonObject,
      select?: string[],
    ): Promise<{ done: Promise<void> }> => {
      const loaded = await loadPipelineFile(path, {
        params: runParams,
        env: io.env,
        envUnset: 'error',
        run: { runId, dataInterval: interval, logicalDate: interval.start },
        displayName: probe.file,
      })
      const errors = loaded.issues.filter((i) => i.severity === 'error')
      if (errors.length > 0 || !loaded.spec)
        throw new SluiceError(
          errors[0]?.code ?? 'E_USAGE',
          `pipeline ${spec.name} cannot run for ${interval.start.toISOString()}: ${errors
            .map((e) => e.message)
            .join('; ')}`,
        )
      const compiled = compilePipeline(
        byInterval ? { ...loaded, spec: withoutIncremental(loaded.spec, incremental) } : loaded,
        select ? { select } : {},
      )
      const done = runPipeline(compiled, {
        store,
        runId,
        resume: how === 'resumed',
        signal: ctl.signal,
        dataPlane: plane,
        trigger: 'backfill',
        actor: ctx.actor,
        groupId,
        scheduledFor: interval.end,
        baseDir: dirname(path),
      }).then(
        (r: RunResult) =>
          report({
            interval,
            runId,
            state: r.state,
            how,
            durationMs: r.durationMs,
            ...(r.error && { error: r.error.message }),
          }),
        (e: unknown) =>
          report({
            interval,
            runId,
            state: 'FAILED',
            how,
            error: e instanceof Error ? e.message : String(e),
          }),
      )
      return { done }
    }
    await runBackfill({
      store,
      pipeline: spec.name,
      hash: probe.hash,
      params: runParams,
      intervals,
      groupId,
      launcher: {
        launch: async (r) => {
          await slots.acquire()
          if (ctl.signal.aborted) {
            slots.release()
            return undefined
          }
          const runId = newRunId(spec.name)
          try {
            const { done } = await execute(r.dataInterval, runId, 'new', r.params)
            jobs.push(done.finally(slots.release))
          } catch (e) {
            slots.release()
            throw e
          }
          return { runId }
        },
      },
      onInterval: (interval, runId, resumed) => {
        if (resumed) jobs.push(continueRun(store, interval, runId))
      },
    })

    // an interval that already had a run: keep it if it succeeded, else resume it
    async function continueRun(s: StateStore, interval: DataInterval, runId: string) {
      const run = await s.getRun(runId)
      if (run?.state === 'SUCCESS')
        return report({ interval, runId, state: run.state, how: 'kept' })
      if (!run || run.state === 'QUEUED' || (run.state === 'RUNNING' && !isOrphaned(run)))
        return report({ interval, runId, state: run?.state ?? 'MISSING', how: 'busy' })
      await slots.acquire()
      if (ctl.signal.aborted) {
        slots.release()
        return report({
          interval,
          runId,
          state: run.state,
          how: 'resumed',
          error: 'not resumed: cancelled',
        })
      }
      try {
        const taskIds = (await s.listTasks(runId)).map((t) => t.taskId)
        await (
          await execute(interval, runId, 'resumed', run.params, taskIds)
        ).done
      } catch (e) {
        report({
          interval,
          runId,
          state: run.state,
          how: 'resumed',
          error: e instanceof Error ? e.message : String(e),
        })
      } finally {
        slots.release()
      }
    }
    await Promise.all(jobs)
  } finally {
    await Promise.allSettled(jobs)
    await plane.close()
    await store.close()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }

  const count = (f: (o: Outcome) => boolean) => outcomes.filter(f).length
  const ok = count((o) => o.state === 'SUCCESS')
  const summary = {
    groupId,
    pipeline: spec.name,
    intervals: intervals.length,
    succeeded: ok,
    kept: count((o) => o.how === 'kept'),
    resumed: count((o) => o.how === 'resumed'),
    failed: count((o) => o.state === 'FAILED'),
    cancelled: count((o) => o.state === 'CANCELLED'),
    notRun: intervals.length - outcomes.length + count((o) => o.how === 'busy'),
  }
  if (opts.json) io.out(JSON.stringify({ event: 'backfill:result', ...summary }))
  else {
    io.out(
      `backfill ${groupId}: ${ok}/${intervals.length} succeeded (${summary.kept} kept from before, ${summary.resumed} resumed), ${summary.failed} failed, ${summary.cancelled} cancelled, ${summary.notRun} not run`,
    )
    if (ok < intervals.length)
      io.out(
        `continue: sluice backfill ${file} --from ${opts.from} --to ${opts.to} --resume ${groupId}`,
      )
  }
  if (ok === intervals.length) return
  throw new CliExit(ctl.signal.aborted ? EXIT.cancelled : EXIT.failed)
}

/** `2026-01-01` (UTC midnight) or an ISO instant. */
function parseInstant(flag: string, text: string): Date {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text)
  if (Number.isNaN(ms))
    throw new SluiceError('E_USAGE', `${flag} ${text} is not a date`, {
      hint: 'e.g. 2026-01-31 or 2026-01-31T06:00:00Z',
    })
  return new Date(ms)
}

/** A counting semaphore: at most `max` holders at once, waiters served in order. */
function limiter(max: number): { acquire: () => Promise<void>; release: () => void } {
  let held = 0
  const waiting: (() => void)[] = []
  return {
    acquire: () => {
      if (held < max) {
        held++
        return Promise.resolve()
      }
      return new Promise<void>((r) => waiting.push(r))
    },
    release: () => {
      const next = waiting.shift()
      if (next) next()
      else held--
    },
  }
}
