import type { ScheduleSpec } from '../core/spec/schedule-schema.js'
import type { FireOutcome, FireRecord, JsonObject, ScheduleRecord } from '../state/records.js'
import type { StateStore } from '../state/state-store.js'
import { dueFires, type CatchupPolicy } from './due-fires.js'
import type { LeaderLock } from './leader-lock.js'
import { localLeaderLock } from './local-leader-lock.js'
import { dataIntervalOf, nextFireAfter, type DataInterval } from './next-fire-times.js'
import { overlapDecision, type OverlapPolicy } from './overlap-decision.js'

/** Only `now()` is needed; the engine's Clock and ManualClock fit. */
export interface SchedulerClock {
  now(): number
}

/** A pipeline the scheduler knows, as the definition currently says (re-read every tick). */
export interface ScheduledPipeline {
  readonly name: string
  /** Definition hash the launched run will pin. */
  readonly hash: string
  readonly schedule: ScheduleSpec
}

/** One run to start. */
export interface LaunchRequest {
  readonly pipeline: string
  readonly hash: string
  /** The schedule's `params:` (event triggers: the payload params). */
  readonly params: JsonObject
  readonly trigger: 'schedule' | 'backfill' | 'event'
  /** The due instant; the run must be created with `scheduledFor` set to it (see Launcher). */
  readonly scheduledFor: Date
  /** [previous fire, this fire): `{{ data_interval_start }}` / `{{ data_interval_end }}`. */
  readonly dataInterval: DataInterval
  /** `{{ logical_date }}`: the interval start (Airflow semantics). */
  readonly logicalDate: Date
  readonly groupId?: string
  readonly dedupeKey?: string
}

/**
 * How the scheduler starts and stops runs without importing the engine. `launch` creates the
 * run in the state store (with `scheduledFor` and `groupId`, so a claim whose launcher crashed
 * can be matched to its run) and starts it in the background; undefined means it declined.
 */
export interface Launcher {
  launch(request: LaunchRequest): Promise<{ readonly runId: string } | undefined>
  cancel(runId: string, reason: string): Promise<void>
  /** Ids of the pipeline's runs that are QUEUED or RUNNING. */
  activeRuns(pipeline: string): Promise<readonly string[]>
}

export interface SchedulerOptions {
  readonly store: StateStore
  readonly launcher: Launcher
  readonly pipelines: () => readonly ScheduledPipeline[] | Promise<readonly ScheduledPipeline[]>
  /** Default: the system clock. */
  readonly clock?: SchedulerClock
  /** Default: always leader (embedded SQLite). Use PostgresLeaderLock on shared state. */
  readonly leaderLock?: LeaderLock
  /** A fire this old is still on time, not missed; default 60 s (keep it ≥ the tick interval). */
  readonly toleranceMs?: number
  /** A fire claimed this long ago without a run is re-checked and launched; default 60 s. */
  readonly claimTimeoutMs?: number
  /** Errors of one pipeline's evaluation (the tick goes on with the others). */
  readonly onError?: (error: unknown, pipeline: string) => void
  /**
   * Pipelines evaluated at once in a tick (default 16). Each pipeline's own fires stay in order;
   * overlapping pipelines fills the waits of store round trips and run starts (file reads,
   * PostgreSQL) so that 500 fires due in the same second are not started one after the other.
   */
  readonly concurrency?: number
  /** Called when this scheduler becomes leader or loses leadership (seen at a tick). */
  readonly onLeaderChange?: (leader: boolean) => void
}

/** A schedule with its defaults applied. */
export interface ResolvedSchedule {
  readonly cron: string
  readonly timezone: string
  readonly overlap: OverlapPolicy
  readonly catchup: CatchupPolicy
  readonly maxCatchup: number
  readonly params: JsonObject
  readonly enabled: boolean
}

export interface ScheduleStatus extends ResolvedSchedule {
  readonly pipeline: string
  readonly paused: boolean
  readonly reason: string | null
  readonly updatedBy: string | null
  /** Null when paused or disabled (SMI-05). */
  readonly nextFireAt: string | null
  readonly lastFire: FireRecord | null
  readonly counts: Partial<Record<FireOutcome, number>>
}

export interface TickResult {
  readonly leader: boolean
  /** Runs started this tick (new fires, queued ones, recovered claims). */
  readonly started: number
  readonly skipped: number
  readonly queued: number
}

/** Fills in the defaults of a `schedule:` (a plain string is a cron in UTC). */
export function resolveSchedule(spec: ScheduleSpec): ResolvedSchedule {
  const s = typeof spec === 'string' ? { cron: spec } : spec
  return {
    cron: s.cron,
    timezone: ('timezone' in s && s.timezone) || 'UTC',
    overlap: ('overlap' in s && s.overlap) || 'skip',
    catchup: ('catchup' in s && s.catchup) || 'none',
    maxCatchup: ('max_catchup' in s && s.max_catchup) || 10,
    params: (('params' in s && s.params) || {}) as JsonObject,
    enabled: !('enabled' in s) || s.enabled !== false,
  }
}

const ms = (iso: string): number => Date.parse(iso)

/** A pipeline's first fire after `since` (see Scheduler.nextDue). */
interface NextDue {
  /** Cron and time zone it was computed for. */
  readonly cronKey: string
  readonly since: number
  readonly at: number
  /** The fire after `at`, once computed. */
  following?: number
  /** The fire before `at` when known (`since` itself was a fire of this cron). */
  readonly previous?: number
}

/** How long after a grid point of the tick interval an aligned tick fires. */
const ALIGN_SLACK_MS = 2

/**
 * Fires cron schedules exactly once across every scheduler on one state store. Each tick (on
 * the leader only) evaluates every pipeline: fires in (last fire, now] are computed with the
 * catch-up policy, each is claimed in the store (unique per pipeline and due instant: a second
 * scheduler, or a second tick, cannot fire it again), then the overlap policy decides whether
 * it starts, is skipped (recorded), waits in the queue (persisted; started on a later tick once
 * the pipeline has no active run) or cancels the active run first. Paused pipelines do not
 * fire; after a resume, fires are computed from the resume instant, so fires missed while
 * paused are never caught up. Schedule edits take effect at the next tick (the definition is
 * re-read through `pipelines()`).
 */
export class Scheduler {
  private readonly store: StateStore
  private readonly launcher: Launcher
  private readonly clock: SchedulerClock
  private readonly lock: LeaderLock
  private readonly tolerance: number
  private readonly claimTimeout: number
  /** First sighting of a never-fired pipeline: nothing before it is due. */
  private readonly firstSeen = new Map<string, number>()
  /**
   * Per pipeline, the first fire after the `since` of its last evaluation: until the clock
   * reaches it nothing can be due, so the cron is not evaluated again (a 500-pipeline tick spent
   * most of its time in croner otherwise). Keyed by cron, timezone and since, so any change of
   * the schedule or of the last fire recomputes it.
   */
  private readonly nextDue = new Map<string, NextDue>()
  /** When each pipeline's claims and leftover queued fires were last looked at. */
  private readonly housekept = new Map<string, number>()
  private readonly housekeepMs: number
  private readonly concurrency: number
  private timer: ReturnType<typeof setTimeout> | undefined
  private running: Promise<unknown> | undefined
  /** Leadership as of the last tick; undefined before the first (which always reports it). */
  private wasLeader: boolean | undefined

  constructor(private readonly options: SchedulerOptions) {
    this.store = options.store
    this.launcher = options.launcher
    this.clock = options.clock ?? { now: () => Date.now() }
    this.lock = options.leaderLock ?? localLeaderLock()
    this.tolerance = options.toleranceMs ?? 60_000
    this.claimTimeout = options.claimTimeoutMs ?? 60_000
    // a stale claim is recovered at most this much after its timeout
    this.housekeepMs = Math.min(5000, this.claimTimeout / 4)
    this.concurrency = Math.max(1, options.concurrency ?? 16)
  }

  get isLeader(): boolean {
    return this.lock.isLeader
  }

  /** One evaluation of every pipeline; does nothing but try for the lock when not leader. */
  async tick(): Promise<TickResult> {
    const counts = { started: 0, skipped: 0, queued: 0 }
    const leader = await this.lock.acquire()
    if (leader !== this.wasLeader) {
      this.wasLeader = leader
      this.options.onLeaderChange?.(leader)
    }
    if (!leader) {
      // another scheduler fires meanwhile: what this one memoised may be stale when it leads again
      this.nextDue.clear()
      this.housekept.clear()
      return { leader: false, ...counts }
    }
    const pipelines = await this.options.pipelines()
    // the pause switches of every pipeline in one query, not one per pipeline
    const switches = new Map((await this.store.listSchedules()).map((r) => [r.pipeline, r]))
    let i = 0
    const lane = async (): Promise<void> => {
      while (i < pipelines.length) {
        const p = pipelines[i++]!
        try {
          await this.evaluate(p, switches.get(p.name), counts)
        } catch (e) {
          this.options.onError?.(e, p.name)
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.concurrency, pipelines.length) }, lane))
    return { leader: true, ...counts }
  }

  /**
   * Ticks now, then on every multiple of `intervalMs` of the wall clock (a tick still running is
   * not overlapped). Aligned ticks evaluate a fire due at 12:00:00 at about 12:00:00.002 instead
   * of up to one interval later, whatever the instant the process started (when `intervalMs`
   * divides a minute, as the default and `serve --tick 1000` do).
   */
  start(intervalMs = 10_000): void {
    if (this.timer) return
    const run = () => {
      if (this.running) return
      this.running = this.tick()
        .catch(() => undefined)
        .finally(() => (this.running = undefined))
    }
    const arm = () => {
      // a timer may fire a hair before Date.now() reaches the grid point: aim just after it
      const wait = intervalMs - (Date.now() % intervalMs) + ALIGN_SLACK_MS
      this.timer = setTimeout(() => {
        arm()
        run()
      }, wait)
    }
    arm()
    run()
  }

  /** Stops ticking, waits for a running tick and gives up leadership. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.running
    await this.lock.release()
    if (this.wasLeader) {
      this.wasLeader = false
      this.options.onLeaderChange?.(false)
    }
  }

  /** Pauses a pipeline's schedule (SMI-03); the reason and actor are stored and audited. */
  pause(pipeline: string, reason: string, actor: string): Promise<ScheduleRecord> {
    return this.store.setSchedulePaused(pipeline, true, {
      reason,
      actor,
      at: new Date(this.clock.now()),
    })
  }

  /** Resumes it (SMI-04): the next fire is computed from now; fires missed while paused never run. */
  resume(pipeline: string, actor: string): Promise<ScheduleRecord> {
    return this.store.setSchedulePaused(pipeline, false, { actor, at: new Date(this.clock.now()) })
  }

  /** Schedule, switch, next fire, last fire and fire counts of one pipeline; undefined if unknown. */
  async status(pipeline: string): Promise<ScheduleStatus | undefined> {
    const p = (await this.options.pipelines()).find((x) => x.name === pipeline)
    return p && this.statusOf(p)
  }

  /** status() of every scheduled pipeline, by name. */
  async list(): Promise<ScheduleStatus[]> {
    const all = [...(await this.options.pipelines())].sort((a, b) => a.name.localeCompare(b.name))
    return Promise.all(all.map((p) => this.statusOf(p)))
  }

  private async statusOf(p: ScheduledPipeline): Promise<ScheduleStatus> {
    const s = resolveSchedule(p.schedule)
    const sw = await this.store.getSchedule(p.name)
    const lastFire = (await this.store.listFires(p.name, { limit: 1 }))[0] ?? null
    const paused = sw?.paused ?? false
    const next = paused || !s.enabled ? undefined : nextFireAfter(s, new Date(this.clock.now()))
    return {
      pipeline: p.name,
      ...s,
      paused,
      reason: sw?.reason ?? null,
      updatedBy: sw?.updatedBy ?? null,
      nextFireAt: next?.toISOString() ?? null,
      lastFire,
      counts: await this.store.countFires(p.name),
    }
  }

  private async evaluate(
    p: ScheduledPipeline,
    sw: ScheduleRecord | undefined,
    counts: { started: number; skipped: number; queued: number },
  ): Promise<void> {
    const s = resolveSchedule(p.schedule)
    if (!s.enabled) return
    if (sw?.paused) return
    const now = this.clock.now()
    const last = (await this.store.listFires(p.name, { limit: 1 }))[0]
    let since = last ? ms(last.dueAt) : undefined
    if (sw) since = Math.max(since ?? -Infinity, ms(sw.updatedAt))
    if (since === undefined) {
      if (!this.firstSeen.has(p.name)) this.firstSeen.set(p.name, now - this.tolerance)
      since = this.firstSeen.get(p.name)!
    }
    const cronKey = `${s.cron}\u0000${s.timezone}`
    let next = this.nextDue.get(p.name)
    if (next?.cronKey !== cronKey || next.since !== since) {
      // `since` is the fire memoised last time (the usual case after a fire): it is a fire
      // instant of this cron, so it starts the next fire's data interval, and the fire after it
      // may already be known
      const prev = next?.cronKey === cronKey && next.at === since ? next : undefined
      next = {
        cronKey,
        since,
        at: prev?.following ?? nextFireAfter(s, new Date(since))?.getTime() ?? Infinity,
        ...(prev !== undefined && { previous: since }),
      }
      this.nextDue.set(p.name, next)
    }
    // stale claims matter only after claimTimeout, and queued fires only under `queue` (or left
    // over from a policy edit): looked at every few seconds, not 500 queries every tick, and
    // preferably not on the tick a fire is due (500 fires due at once start sooner without them)
    // (`counts` is shared by concurrent evaluations: add after the await, never `+= await`)
    const lastLook = this.housekept.get(p.name)
    const wait = (now >= next.at ? 2 : 1) * this.housekeepMs
    const housekeep = lastLook === undefined || now - lastLook >= wait
    if (housekeep) {
      this.housekept.set(p.name, now)
      const recovered = await this.recoverClaims(p, s, now)
      counts.started += recovered
    }
    if (housekeep || s.overlap === 'queue') {
      const dequeued = await this.startQueued(p, s, now)
      counts.started += dequeued
    }
    if (now < next.at) return
    // the usual case, one fire in (since, now] and on time: what dueFires() would return, without
    // its two backward cron searches (croner's previousRuns costs ~0.4 ms per call)
    next.following ??= nextFireAfter(s, new Date(next.at))?.getTime() ?? Infinity
    const single = now - next.at <= this.tolerance && next.following > now
    const due = single
      ? { run: [new Date(next.at)], skip: [] }
      : dueFires({
          schedule: s,
          catchup: s.catchup,
          maxCatchup: s.maxCatchup,
          since: new Date(since),
          now: new Date(now),
          toleranceMs: this.tolerance,
        })
    for (const d of due.skip) {
      if (await this.store.claimFire(p.name, d, 'skipped', new Date(now))) counts.skipped++
    }
    for (const d of due.run) {
      // the claim is the exactly-once point: only one scheduler (or tick) gets past it
      if (!(await this.store.claimFire(p.name, d, 'claimed', new Date(now)))) continue
      const queuedAhead =
        s.overlap === 'queue'
          ? (await this.store.listFires(p.name, { outcome: 'queued', limit: 1 })).length
          : 0
      const active = await this.launcher.activeRuns(p.name)
      const decision = overlapDecision(s.overlap, active, queuedAhead)
      if (decision.action === 'skip') {
        await this.store.settleFire(p.name, d, 'claimed', 'skipped', new Date(now))
        counts.skipped++
      } else if (decision.action === 'queue') {
        await this.store.settleFire(p.name, d, 'claimed', 'queued', new Date(now))
        counts.queued++
      } else {
        if (decision.action === 'cancel_previous') {
          for (const id of decision.cancel) {
            await this.launcher.cancel(id, `superseded by the fire due ${d.toISOString()}`)
          }
        }
        // the memoised previous fire saves dataIntervalOf's backward cron search
        const previous = single && next.previous !== undefined ? next.previous : undefined
        if (await this.launchClaimed(p, s, d, now, previous)) counts.started++
        else counts.skipped++
      }
    }
  }

  /** Launches a fire this scheduler holds as `claimed` and records the outcome. */
  private async launchClaimed(
    p: ScheduledPipeline,
    s: ResolvedSchedule,
    due: Date,
    now: number,
    previous?: number,
  ): Promise<boolean> {
    const dataInterval =
      previous === undefined ? dataIntervalOf(s, due) : { start: new Date(previous), end: due }
    const launched = await this.launcher.launch({
      pipeline: p.name,
      hash: p.hash,
      params: s.params,
      trigger: 'schedule',
      scheduledFor: due,
      dataInterval,
      logicalDate: dataInterval.start,
    })
    const to = launched ? 'started' : 'skipped'
    await this.store.settleFire(p.name, due, 'claimed', to, new Date(now), launched?.runId)
    return launched !== undefined
  }

  /** Under `queue`: the oldest queued fire starts once the pipeline has no active run. */
  private async startQueued(
    p: ScheduledPipeline,
    s: ResolvedSchedule,
    now: number,
  ): Promise<number> {
    const oldest = (
      await this.store.listFires(p.name, {
        outcome: 'queued',
        oldestFirst: true,
        limit: 1,
      })
    )[0]
    if (!oldest || (await this.launcher.activeRuns(p.name)).length > 0) return 0
    const due = new Date(oldest.dueAt)
    if (!(await this.store.settleFire(p.name, due, 'queued', 'claimed', new Date(now)))) return 0
    return (await this.launchClaimed(p, s, due, now)) ? 1 : 0
  }

  /**
   * A fire left `claimed` longer than claimTimeoutMs belongs to a scheduler that died between
   * the claim and the end of its launch: if its run exists (found by scheduledFor) it is
   * recorded; otherwise it is launched now.
   */
  private async recoverClaims(
    p: ScheduledPipeline,
    s: ResolvedSchedule,
    now: number,
  ): Promise<number> {
    const stale = (
      await this.store.listFires(p.name, { outcome: 'claimed', oldestFirst: true })
    ).filter((f) => now - ms(f.at) > this.claimTimeout)
    let started = 0
    for (const f of stale) {
      const due = new Date(f.dueAt)
      // only the leader recovers, so no other scheduler races this launch
      const runs = await this.store.listRuns({ pipeline: p.name, scheduledFor: due, limit: 10 })
      const run = runs.find((r) => r.trigger === 'schedule')
      if (run) {
        await this.store.settleFire(p.name, due, 'claimed', 'started', new Date(now), run.id)
      } else if (await this.launchClaimed(p, s, due, now)) {
        started++
      }
    }
    return started
  }
}
