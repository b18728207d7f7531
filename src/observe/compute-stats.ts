import type { ObservedRun, ObservedTask } from './observed-events.js'

/** Duration and volume figures of a set of runs or task attempts. */
export interface DurationStats {
  readonly count: number
  /** Milliseconds; null without any measured duration. */
  readonly meanMs: number | null
  /** Nearest-rank 95th percentile, milliseconds. */
  readonly p95Ms: number | null
}

export interface TaskStats {
  readonly task: string
  /** Attempts that ended (SUCCESS, FAILED, RETRYING, CANCELLED). */
  readonly attempts: number
  readonly succeeded: number
  readonly failed: number
  /** Attempts that failed and were retried. */
  readonly retries: number
  readonly duration: DurationStats
  readonly rowsIn: number
  readonly rowsOut: number
  readonly bytes: number
}

export interface PipelineStats {
  readonly pipeline: string
  readonly runs: number
  readonly succeeded: number
  readonly failed: number
  readonly cancelled: number
  /** Queued or running. */
  readonly active: number
  /** succeeded / (succeeded + failed + cancelled); null when none finished. */
  readonly successRate: number | null
  /** Of finished runs (finishedAt − startedAt). */
  readonly duration: DurationStats
  readonly rowsIn: number
  readonly rowsOut: number
  readonly bytes: number
  /** ISO time of the newest run (by creation, else start). */
  readonly lastRunAt: string | null
  readonly lastState: string | null
  /** By task id, sorted. */
  readonly tasks: readonly TaskStats[]
}

/** One run with its tasks, as `store.getRun` + `store.listTasks` give them. */
export interface RunHistory {
  readonly run: ObservedRun
  readonly tasks: readonly ObservedTask[]
}

const ENDED = new Set(['SUCCESS', 'FAILED', 'RETRYING', 'CANCELLED'])

/**
 * The numbers behind `sluice stats`: per pipeline, run counts by outcome, success rate, mean and
 * p95 run duration, rows and bytes, and per task attempts, failures, retries, durations and rows.
 * Pure; sorted by pipeline name. The same figures Prometheus has, for users without it.
 */
export function computeStats(history: readonly RunHistory[]): PipelineStats[] {
  const byPipeline = new Map<string, RunHistory[]>()
  for (const h of history) {
    const list = byPipeline.get(h.run.pipeline) ?? []
    list.push(h)
    byPipeline.set(h.run.pipeline, list)
  }
  return [...byPipeline.keys()].sort().map((pipeline) => {
    const runs = byPipeline.get(pipeline)!
    const count = (state: string) => runs.filter((h) => h.run.state === state).length
    const succeeded = count('SUCCESS')
    const failed = count('FAILED')
    const cancelled = count('CANCELLED')
    const finished = succeeded + failed + cancelled
    const runDurations: number[] = []
    for (const { run } of runs) {
      if (run.startedAt === null || run.finishedAt === null) continue
      const ms = Date.parse(run.finishedAt) - Date.parse(run.startedAt)
      if (Number.isFinite(ms) && ms >= 0) runDurations.push(ms)
    }
    const taskIds = new Set<string>()
    for (const h of runs) for (const t of h.tasks) taskIds.add(t.taskId)
    const tasks = [...taskIds].sort().map((task) => taskStats(task, runs))
    const newest = [...runs].sort((a, b) => stamp(b.run).localeCompare(stamp(a.run)))[0]
    return {
      pipeline,
      runs: runs.length,
      succeeded,
      failed,
      cancelled,
      active: runs.length - finished,
      successRate: finished === 0 ? null : succeeded / finished,
      duration: durationStats(runDurations),
      rowsIn: tasks.reduce((s, t) => s + t.rowsIn, 0),
      rowsOut: tasks.reduce((s, t) => s + t.rowsOut, 0),
      bytes: tasks.reduce((s, t) => s + t.bytes, 0),
      lastRunAt: newest ? stamp(newest.run) || null : null,
      lastState: newest?.run.state ?? null,
      tasks,
    }
  })
}

function stamp(run: ObservedRun): string {
  return run.createdAt ?? run.startedAt ?? ''
}

function taskStats(task: string, runs: readonly RunHistory[]): TaskStats {
  let attempts = 0
  let succeeded = 0
  let failed = 0
  let retries = 0
  let rowsIn = 0
  let rowsOut = 0
  let bytes = 0
  const durations: number[] = []
  for (const h of runs) {
    for (const t of h.tasks) {
      if (t.taskId !== task) continue
      for (const a of t.attempts) {
        if (!ENDED.has(a.state)) continue
        attempts++
        if (a.state === 'SUCCESS') succeeded++
        if (a.state === 'FAILED') failed++
        if (a.state === 'RETRYING') retries++
        if (a.durationMs !== null) durations.push(a.durationMs)
        rowsIn += a.rowsIn ?? 0
        rowsOut += a.rowsOut ?? 0
        bytes += a.bytes ?? 0
      }
    }
  }
  return {
    task,
    attempts,
    succeeded,
    failed,
    retries,
    duration: durationStats(durations),
    rowsIn,
    rowsOut,
    bytes,
  }
}

/** Mean and nearest-rank p95 of durations. */
function durationStats(values: readonly number[]): DurationStats {
  if (values.length === 0) return { count: 0, meanMs: null, p95Ms: null }
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.ceil(0.95 * sorted.length)
  return {
    count: sorted.length,
    meanMs: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    p95Ms: sorted[rank - 1]!,
  }
}
