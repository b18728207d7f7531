import { Cron } from 'croner'
import { SluiceError } from '../core/sluice-error.js'

/** A cron expression (5 fields, or 6 with seconds first, or `@daily`-style) in an IANA zone. */
export interface CronSchedule {
  readonly cron: string
  /** Default UTC. */
  readonly timezone?: string
}

/** The half-open interval [start, end) a scheduled run processes. */
export interface DataInterval {
  readonly start: Date
  readonly end: Date
}

const HOUR = 3_600_000
/** How far local time can move against UTC across one transition (covers every IANA zone). */
const SLACK = 3 * HOUR
const MAX_STEPS = 100_000

const crons = new Map<string, Cron>()
const formats = new Map<string, Intl.DateTimeFormat>()

function wallCron(expr: string): Cron {
  let c = crons.get(expr)
  if (!c) {
    try {
      // evaluated on wall-clock time written as if it were UTC; see localToInstant for the mapping
      c = new Cron(expr, { timezone: 'UTC', paused: true })
    } catch (e) {
      throw new SluiceError('E_CRON_INVALID', `invalid cron expression "${expr}": ${String(e)}`, {
        hint: 'write 5 fields like "0 2 * * *", 6 with seconds first, or @daily',
      })
    }
    crons.set(expr, c)
  }
  return c
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz)
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      })
    } catch {
      throw new SluiceError('E_CRON_INVALID', `unknown time zone "${tz}"`, {
        hint: 'use an IANA name like Europe/Berlin or America/New_York',
      })
    }
    formats.set(tz, f)
  }
  return f
}

/** Offset of `tz` from UTC at instant `t`, in ms (whole seconds). */
function offsetAt(tz: string, t: number): number {
  const parts: Record<string, number> = {}
  for (const p of formatter(tz).formatToParts(new Date(t))) parts[p.type] = Number(p.value)
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  )
  return wall - Math.floor(t / 1000) * 1000
}

/** Wall-clock time of instant `t` in `tz`, written as a UTC timestamp. */
const toLocal = (tz: string, t: number): number => t + offsetAt(tz, t)

/**
 * The instant a wall-clock time `w` means in `tz`: the first occurrence when the time repeats
 * (fall-back), the end of the gap when it does not exist (spring-forward).
 */
function localToInstant(tz: string, w: number): number {
  const t0 = w - offsetAt(tz, w)
  const candidates = new Set([t0 - SLACK, t0, t0 + SLACK].map((guess) => w - offsetAt(tz, guess)))
  const valid = [...candidates].filter((t) => toLocal(tz, t) === w)
  if (valid.length > 0) return Math.min(...valid)
  // in a gap: the first instant whose wall time is past w is the transition itself
  let lo = Math.min(...candidates)
  let hi = Math.max(...candidates)
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000
    if (toLocal(tz, mid) > w) hi = mid
    else lo = mid
  }
  return hi
}

/**
 * The first fire strictly after `after`, or undefined when the cron never fires again.
 *
 * DST rule (both directions, any zone): the expression is matched against local wall-clock
 * time. A local time skipped by spring-forward fires once, at the first valid instant after the
 * gap (Europe/Berlin 2026-03-29 `30 2 * * *` → 03:00 CEST = 01:00Z; several skipped times
 * collapse into that one fire). A local time repeated by fall-back fires once, at its first
 * occurrence (Europe/Berlin 2026-10-25 `30 2 * * *` → 02:30 CEST = 00:30Z only; an hourly
 * `0 * * * *` fires at 02:00 CEST but not again at 02:00 CET). croner alone is not consistent
 * here (it drops `15,45 2 * * *` on a spring-forward day and repeats `15,45 1 * * *` on a
 * fall-back day), so croner only enumerates wall-clock times and this module maps them.
 * Consequence: a sub-hourly schedule does not fire during the repeated hour (its times already
 * fired); write such schedules in UTC when every interval must run.
 */
export function nextFireAfter(schedule: CronSchedule, after: Date): Date | undefined {
  const tz = schedule.timezone ?? 'UTC'
  const cron = wallCron(schedule.cron)
  // wall times up to local(after) map to instants <= after (the mapping is monotonic)
  let wall = new Date(toLocal(tz, after.getTime()))
  for (let i = 0; i < MAX_STEPS; i++) {
    const next = cron.nextRun(wall)
    if (!next) return undefined
    const t = localToInstant(tz, next.getTime())
    if (t > after.getTime()) return new Date(t)
    wall = next
  }
  return undefined
}

/** The last fire strictly before `before` (same DST rule as nextFireAfter). */
export function previousFireBefore(schedule: CronSchedule, before: Date): Date | undefined {
  const tz = schedule.timezone ?? 'UTC'
  const cron = wallCron(schedule.cron)
  // after a fall-back, wall times up to `fallback` later than local(before) already happened
  const b = before.getTime()
  const fallback = Math.max(0, offsetAt(tz, b - SLACK) - offsetAt(tz, b))
  let wall = new Date(toLocal(tz, b) + fallback + 1000)
  for (let i = 0; i < MAX_STEPS; i++) {
    const prev = cron.previousRuns(1, wall)[0]
    if (!prev) return undefined
    const t = localToInstant(tz, prev.getTime())
    if (t < before.getTime()) return new Date(t)
    wall = prev
  }
  return undefined
}

/** Fires in (after, until], oldest first, at most `limit` (the oldest ones). */
export function fireTimesBetween(
  schedule: CronSchedule,
  after: Date,
  until: Date,
  limit = 10_000,
): Date[] {
  const out: Date[] = []
  let t = nextFireAfter(schedule, after)
  while (t && t.getTime() <= until.getTime() && out.length < limit) {
    out.push(t)
    t = nextFireAfter(schedule, t)
  }
  return out
}

/**
 * The data interval of the fire at `fire`: [previous fire, fire), Airflow's semantics. A run's
 * `logical_date` is the interval start; `data_interval_end` is the fire instant itself.
 */
export function dataIntervalOf(schedule: CronSchedule, fire: Date): DataInterval {
  const start = previousFireBefore(schedule, fire) ?? fire
  return { start, end: fire }
}
