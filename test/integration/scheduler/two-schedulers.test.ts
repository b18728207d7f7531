import { afterEach, describe, expect, it } from 'vitest'
import { PostgresStateStore } from '../../../src/state/postgres/postgres-state-store.js'
import type { StateStore } from '../../../src/state/state-store.js'
import type { LeaderLock } from '../../../src/scheduler/leader-lock.js'
import { localLeaderLock } from '../../../src/scheduler/local-leader-lock.js'
import { PostgresLeaderLock } from '../../../src/scheduler/postgres-leader-lock.js'
import {
  Scheduler,
  type Launcher,
  type ScheduledPipeline,
  type SchedulerClock,
} from '../../../src/scheduler/scheduler.js'
import { useTestDatabase } from '../../helpers/pg-test-database.js'

// DESIGN.md §8: a real PostgreSQL; this suite fails (never skips) when it is unreachable.
const db = useTestDatabase('sluice_sched')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** One `serve` process: its own store connection, lock connection and launcher. */
interface Node {
  readonly store: StateStore
  readonly lock: PostgresLeaderLock
  readonly scheduler: Scheduler
  readonly launches: string[]
}

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})

function launcherFor(store: StateStore, name: string, launches: string[]): Launcher {
  let n = 0
  return {
    async launch(req) {
      const id = `${name}-${++n}`
      await store.createRun({
        id,
        pipeline: req.pipeline,
        pipelineHash: req.hash,
        params: req.params,
        trigger: req.trigger,
        tasks: [{ taskId: 't' }],
        scheduledFor: req.scheduledFor,
      })
      launches.push(`${req.pipeline}@${req.scheduledFor.toISOString()}`)
      return { runId: id }
    },
    cancel: () => Promise.resolve(),
    activeRuns: () => Promise.resolve([]),
  }
}

async function node(
  name: string,
  schema: string,
  pipelines: readonly ScheduledPipeline[],
  clock: SchedulerClock,
  lock?: LeaderLock,
): Promise<Node> {
  const store = await PostgresStateStore.open({ url: db.url(), schema, max: 4 })
  const pgLock = new PostgresLeaderLock({ url: db.url(), name: `sched:${schema}` })
  const launches: string[] = []
  const scheduler = new Scheduler({
    store,
    clock,
    pipelines: () => pipelines,
    launcher: launcherFor(store, name, launches),
    leaderLock: lock ?? pgLock,
    // ticks are 10 s apart; 23:59:30, 30 s before the first tick, counts as missed (not run)
    toleranceMs: 20_000,
    onError: (e) => {
      throw e
    },
  })
  cleanup.push(async () => {
    await scheduler.stop()
    await pgLock.release()
    await store.close()
  })
  return { store, lock: pgLock, scheduler, launches }
}

const PIPELINES: ScheduledPipeline[] = [
  { name: 'every_minute', hash: 'h1', schedule: { cron: '* * * * *', overlap: 'allow' } },
  { name: 'every_2_min', hash: 'h2', schedule: { cron: '*/2 * * * *', overlap: 'allow' } },
  { name: 'every_30_s', hash: 'h3', schedule: { cron: '*/30 * * * * *', overlap: 'allow' } },
]
const EXPECTED = {
  every_minute: 11, // 00:00 … 00:10
  every_2_min: 6, // 00:00, 00:02, … 00:10
  every_30_s: 21, // 00:00:00 … 00:10:00
}

async function runsByPipeline(store: StateStore) {
  const out: Record<string, string[]> = {}
  for (const p of PIPELINES) {
    const runs = await store.listRuns({ pipeline: p.name, limit: 1000 })
    out[p.name] = runs.map((r) => r.scheduledFor ?? 'none').sort()
  }
  return out
}

function expectExactlyOnce(runs: Record<string, string[]>) {
  for (const [p, count] of Object.entries(EXPECTED)) {
    const list = runs[p] ?? []
    expect(list, p).toHaveLength(count)
    expect(new Set(list).size, `${p} has a duplicate fire`).toBe(count)
    expect(list[0], p).toBe('2026-05-01T00:00:00.000Z')
    expect(list.at(-1), p).toBe('2026-05-01T00:10:00.000Z')
  }
}

describe('two schedulers on one PostgreSQL state', () => {
  it('fire each scheduled run exactly once over 10 simulated minutes; only one leads', async () => {
    const clock = { t: Date.parse('2026-05-01T00:00:00.500Z'), now: () => clock.t }
    const a = await node('a', 'two_a', PIPELINES, clock)
    const b = await node('b', 'two_a', PIPELINES, clock)
    const leaders: string[] = []
    for (let step = 0; step <= 60; step++) {
      const [ra, rb] = await Promise.all([a.scheduler.tick(), b.scheduler.tick()])
      expect(ra.leader && rb.leader, `step ${step}: two leaders`).toBe(false)
      expect(ra.leader || rb.leader, `step ${step}: no leader`).toBe(true)
      leaders.push(ra.leader ? 'a' : 'b')
      clock.t += 10_000
    }
    expect(new Set(leaders).size).toBe(1) // nobody died: leadership never moved
    expectExactlyOnce(await runsByPipeline(a.store))
    expect(a.launches.length + b.launches.length).toBe(11 + 6 + 21)
  })

  it('fire exactly once even when both believe they lead (the claim is the guard)', async () => {
    const clock = { t: Date.parse('2026-05-01T00:00:00.500Z'), now: () => clock.t }
    const a = await node('a', 'two_b', PIPELINES, clock, localLeaderLock())
    const b = await node('b', 'two_b', PIPELINES, clock, localLeaderLock())
    for (let step = 0; step <= 60; step++) {
      await Promise.all([a.scheduler.tick(), b.scheduler.tick(), a.scheduler.tick()])
      clock.t += 10_000
    }
    expectExactlyOnce(await runsByPipeline(b.store))
    expect(a.launches.length + b.launches.length).toBe(38)
    expect(a.launches.length).toBeGreaterThan(0) // both really raced
    expect(b.launches.length).toBeGreaterThan(0)
  })

  it('move scheduling to the other when the leader dies, within 30 s, without a double fire', async () => {
    const clock = { now: () => Date.now() }
    const every = [
      { name: 'every_second', hash: 'h', schedule: { cron: '* * * * * *', overlap: 'allow' } },
    ] satisfies ScheduledPipeline[]
    // the leader's process "dies": its ticks stop and its lock connection is killed server-side
    let aDead = false
    const aLock: { inner?: PostgresLeaderLock } = {}
    const deadable: LeaderLock = {
      get isLeader() {
        return !aDead && (aLock.inner?.isLeader ?? false)
      },
      acquire: () => (aDead ? Promise.resolve(false) : aLock.inner!.acquire()),
      release: () => (aDead ? Promise.resolve() : aLock.inner!.release()),
    }
    const a = await node('a', 'two_c', every, clock, deadable)
    aLock.inner = a.lock
    const b = await node('b', 'two_c', every, clock)
    a.scheduler.start(200)
    for (let i = 0; i < 50 && !a.lock.isLeader; i++) await sleep(20)
    expect(a.lock.isLeader).toBe(true)
    b.scheduler.start(200)
    await sleep(1500)
    expect(b.lock.isLeader).toBe(false)
    expect(a.launches.length).toBeGreaterThan(0)
    expect(b.launches).toEqual([])

    aDead = true
    const pid = a.lock.pid
    expect(pid).toBeTypeOf('number')
    await db.sql('SELECT pg_terminate_backend($1)', [pid])
    const killedAt = Date.now()
    while (b.launches.length === 0 && Date.now() - killedAt < 30_000) await sleep(20)
    const failover = Date.now() - killedAt
    expect(failover).toBeLessThan(30_000)
    expect(b.lock.isLeader).toBe(true)
    await sleep(1200)
    await b.scheduler.stop()
    await a.scheduler.stop()

    const runs = await b.store.listRuns({ pipeline: 'every_second', limit: 10_000 })
    const fires = runs.map((r) => r.scheduledFor)
    expect(new Set(fires).size).toBe(fires.length)
    expect(fires.length).toBe(a.launches.length + b.launches.length)
    // no second was lost across the failover either
    const times = fires.map((f) => Date.parse(f!)).sort((x, y) => x - y)
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1000)
  }, 40_000)
})
