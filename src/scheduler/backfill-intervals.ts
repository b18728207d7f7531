import { parseDuration } from '../core/duration.js'
import { SluiceError } from '../core/sluice-error.js'
import { nextFireAfter, type CronSchedule, type DataInterval } from './next-fire-times.js'

export interface BackfillIntervalsInput {
  /** Inclusive start of the range. */
  readonly from: Date
  /** Exclusive end of the range: no interval ends after it. */
  readonly to: Date
  /** Intervals between consecutive fires of this schedule (DST rule of nextFireAfter)… */
  readonly schedule?: CronSchedule
  /** …or fixed steps from `from` (`1d`, `6h`, `PT15M`): 24 h each, whatever the zone does. */
  readonly every?: string
  /** Default 10,000. */
  readonly max?: number
}

/**
 * The intervals [start, end) a backfill runs, oldest first, one run each. With a schedule they
 * are the data intervals of its fires inside [from, to] (a partial first or last interval is
 * left out); with `every` they tile [from, to) and the last may not be cut short. More than
 * `max` intervals, an empty or reversed range, or a bad step is E_BACKFILL_RANGE.
 */
export function backfillIntervals(input: BackfillIntervalsInput): DataInterval[] {
  const { from, to } = input
  const max = input.max ?? 10_000
  const fail = (message: string, hint: string): never => {
    throw new SluiceError('E_BACKFILL_RANGE', message, { hint })
  }
  if (!(from.getTime() < to.getTime())) {
    fail(
      `backfill range ${from.toISOString()} .. ${to.toISOString()} is empty or reversed`,
      'give --from before --to',
    )
  }
  if ((input.schedule === undefined) === (input.every === undefined)) {
    fail('a backfill needs exactly one of a schedule or a step (--every)', 'e.g. --every 1d')
  }
  const tooMany = (): never =>
    fail(
      `backfill ${from.toISOString()} .. ${to.toISOString()} has more than ${max} intervals`,
      'split the range, or use a coarser step (--every)',
    )
  const out: DataInterval[] = []
  if (input.every !== undefined) {
    const step = parseDuration(input.every)
    if (step === undefined || step < 1000) {
      fail(`backfill step "${input.every}" is not a duration of at least 1s`, 'e.g. 1d, 6h, 15m')
    }
    for (let t = from.getTime(); t + step! <= to.getTime(); t += step!) {
      if (out.length >= max) tooMany()
      out.push({ start: new Date(t), end: new Date(t + step!) })
    }
  } else {
    const schedule = input.schedule!
    let start = nextFireAfter(schedule, new Date(from.getTime() - 1))
    while (start) {
      const end = nextFireAfter(schedule, start)
      if (!end || end.getTime() > to.getTime()) break
      if (out.length >= max) tooMany()
      out.push({ start, end })
      start = end
    }
  }
  if (out.length === 0) {
    fail(
      `backfill ${from.toISOString()} .. ${to.toISOString()} holds no whole interval`,
      'widen the range to cover at least one interval',
    )
  }
  return out
}
