import { previousFireBefore, type CronSchedule } from './next-fire-times.js'

/** What to do with fires missed while no scheduler ran (or ran too late). */
export type CatchupPolicy = 'none' | 'latest' | 'all'

export interface DueFiresInput {
  readonly schedule: CronSchedule
  readonly catchup: CatchupPolicy
  /** With `all`: run at most this many missed fires, the newest ones. */
  readonly maxCatchup: number
  /** Fires at or before this instant are done: the last claimed fire, or a resume time. */
  readonly since: Date
  readonly now: Date
  /** A fire at most this old is on time, not missed (at least the tick interval). */
  readonly toleranceMs: number
}

export interface DueFires {
  /** Fires to run now, oldest first. */
  readonly run: Date[]
  /** Missed fires not run (oldest first; at most the newest 100 are listed, the rest are dropped). */
  readonly skip: Date[]
}

const SKIP_LISTED = 100

/**
 * The due instants in (since, now] and what to do with each. A fire due within `toleranceMs`
 * of `now` is on time and always runs. Older ones are missed: `none` skips them all, `latest`
 * runs only the newest missed fire and only when no fire is on time, `all` runs the newest
 * `maxCatchup` missed fires in chronological order and skips the rest. Pure.
 */
export function dueFires(input: DueFiresInput): DueFires {
  const { catchup, maxCatchup, since, now, toleranceMs } = input
  const wantMissed = catchup === 'all' ? Math.max(0, maxCatchup) : catchup === 'latest' ? 1 : 0
  const onTime: Date[] = []
  const missed: Date[] = [] // newest first
  let t = previousFireBefore(input.schedule, new Date(now.getTime() + 1))
  while (t && t.getTime() > since.getTime() && missed.length < wantMissed + SKIP_LISTED) {
    if (now.getTime() - t.getTime() <= toleranceMs) onTime.push(t)
    else missed.push(t)
    t = previousFireBefore(input.schedule, t)
  }
  const takeMissed = catchup === 'latest' && onTime.length > 0 ? 0 : wantMissed
  const run = [...missed.slice(0, takeMissed), ...onTime]
  const skip = missed.slice(takeMissed)
  const byTime = (a: Date, b: Date) => a.getTime() - b.getTime()
  return { run: run.sort(byTime), skip: skip.sort(byTime) }
}
