import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ScheduleSpec } from '../../../src/core/spec/schedule-schema.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'
import type { StateStore } from '../../../src/state/state-store.js'
import type { LeaderLock } from '../../../src/scheduler/leader-lock.js'
import {
  resolveSchedule,
  Scheduler,
  type LaunchRequest,
  type Launcher,
  type ScheduledPipeline,
} from '../../../src/scheduler/scheduler.js'

const dir = mkdtempSync(join(tmpdir(), 'sluice-sched-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0

const T = (s: string) => Date.parse(s)
const hhmm = (iso: string | null | undefined) => iso?.slice(11, 16)

/** A launcher that creates the run in the store and lets tests end runs. */
function fakeLauncher(store: StateStore) {
  const launched: LaunchRequest[] = []
  const cancelled: [string, string][] = []
  let seq = 0
  let decline = false
  const launcher: Launcher = {
    async launch(req) {
      if (decline) return undefined
      launched.push(req)
      const id = `${req.pipeline}-${++seq}`
      await store.createRun({
        id,
        pipeline: req.pipeline,
        pipelineHash: req.hash,
        params: req.params,
        trigger: req.trigger,
        tasks: [{ taskId: 't' }],
        scheduledFor: req.scheduledFor,
        ...(req.groupId !== undefined && { groupId: req.groupId }),
      })
      return { runId: id }
    },
    async cancel(runId, reason) {
      cancelled.push([runId, reason])
      const run = await store.getRun(runId)
      if (run) await store.transitionRun(runId, run.state, 'CANCELLED', new Date())
    },
    async activeRuns(pipeline) {
      const runs = await store.listRuns({ pipeline })
      return runs.filter((r) => r.state === 'QUEUED' || r.state === 'RUNNING').map((r) => r.id)
    },
  }
  return {
    launcher,
    launched,
    cancelled,
    declineAll: () => (decline = true),
    finish: async (runId: string) => {
      await store.transitionRun(runId, 'QUEUED', 'RUNNING', new Date())
      await store.transitionRun(runId, 'RUNNING', 'SUCCESS', new Date())
    },
  }
}

describe('resolveSchedule', () => {
  it('applies the defaults to a plain cron string and to an object', () => {
    expect(resolveSchedule('0 2 * * *')).toEqual({
      cron: '0 2 * * *',
      timezone: 'UTC',
      overlap: 'skip',
      catchup: 'none',
      maxCatchup: 10,
      params: {},
      enabled: true,
    })
    expect(
      resolveSchedule({
        cron: '@daily',
        timezone: 'Europe/Berlin',
        overlap: 'queue',
        catchup: 'all',
        max_catchup: 3,
        params: { a: 1 },
        enabled: false,
      }),
    ).toMatchObject({
      overlap: 'queue',
      catchup: 'all',
      maxCatchup: 3,
      params: { a: 1 },
      enabled: false,
    })
  })
})

describe('Scheduler', () => {
  let store: StateStore
  let clock: { t: number; now(): number }
  let specs: Record<string, ScheduleSpec>
  let fake: ReturnType<typeof fakeLauncher>
  let errors: unknown[]

  const pipelines = (): ScheduledPipeline[] =>
    Object.entries(specs).map(([name, schedule]) => ({ name, hash: `h-${name}`, schedule }))
  const scheduler = (lock?: LeaderLock) =>
    new Scheduler({
      store,
      clock,
      launcher: fake.launcher,
      pipelines,
      toleranceMs: 60_000,
      onError: (e) => errors.push(e),
      ...(lock && { leaderLock: lock }),
    })
  const firesOf = async (p: string) =>
    (await store.listFires(p, { oldestFirst: true })).map((f) => [hhmm(f.dueAt), f.outcome])

  beforeEach(async () => {
    store = await SqliteStateStore.open({ path: join(dir, `s-${++n}.db`) })
    clock = {
      t: T('2026-05-01T00:00:30Z'),
      now() {
        return this.t
      },
    }
    specs = {}
    fake = fakeLauncher(store)
    errors = []
  })
  afterEach(async () => {
    expect(errors).toEqual([])
    await store.close()
  })

  it('fires each due instant once, with params, data interval and logical date', async () => {
    specs.orders = { cron: '0 * * * *', params: { region: 'eu' }, overlap: 'allow' }
    const s = scheduler()
    expect(await s.tick()).toEqual({ leader: true, started: 1, skipped: 0, queued: 0 })
    expect(await s.tick()).toEqual({ leader: true, started: 0, skipped: 0, queued: 0 })
    clock.t = T('2026-05-01T00:59:59Z')
    expect((await s.tick()).started).toBe(0)
    clock.t = T('2026-05-01T01:00:10Z')
    expect((await s.tick()).started).toBe(1)
    expect(fake.launched).toHaveLength(2)
    const second = fake.launched[1]!
    expect(second).toMatchObject({
      pipeline: 'orders',
      hash: 'h-orders',
      params: { region: 'eu' },
      trigger: 'schedule',
    })
    expect(second.scheduledFor.toISOString()).toBe('2026-05-01T01:00:00.000Z')
    expect(second.dataInterval.start.toISOString()).toBe('2026-05-01T00:00:00.000Z')
    expect(second.dataInterval.end.toISOString()).toBe('2026-05-01T01:00:00.000Z')
    expect(second.logicalDate.toISOString()).toBe('2026-05-01T00:00:00.000Z')
    const run = (await store.listRuns({ pipeline: 'orders' }))[0]!
    expect(run).toMatchObject({ trigger: 'schedule', scheduledFor: '2026-05-01T01:00:00.000Z' })
    expect(await firesOf('orders')).toEqual([
      ['00:00', 'started'],
      ['01:00', 'started'],
    ])
    expect((await store.listFires('orders', { limit: 1 }))[0]?.runId).toBe(run.id)
  })

  it('fires 40 pipelines due at once, each once, each with [previous fire, fire) as interval', async () => {
    // evaluated 16 at a time; an irregular cron checks the memoised previous fire is the right one
    for (let i = 0; i < 40; i++) specs[`p${i}`] = { cron: '0 0,5,7 * * *', overlap: 'allow' }
    const s = scheduler()
    expect((await s.tick()).started).toBe(40) // 00:00, on time
    for (const [at, started] of [
      ['04:59:59', 0],
      ['05:00:01', 40],
      ['05:00:02', 0],
      ['07:00:00', 40],
    ] as const) {
      clock.t = T(`2026-05-01T${at}Z`)
      expect((await s.tick()).started).toBe(started)
    }
    const keys = fake.launched.map((l) => `${l.pipeline}@${hhmm(l.scheduledFor.toISOString())}`)
    expect(new Set(keys).size).toBe(120)
    const intervals = new Set(
      fake.launched.map(
        (l) =>
          `${hhmm(l.dataInterval.start.toISOString())}-${hhmm(l.dataInterval.end.toISOString())}`,
      ),
    )
    // the first fire's interval starts at the day before's 07:00 (a backward search); the later
    // ones at the fire memoised before them
    expect([...intervals].sort()).toEqual(['00:00-05:00', '05:00-07:00', '07:00-00:00'])
  })

  it('reports leadership changes once each', async () => {
    specs.orders = '0 * * * *'
    let held = true
    const lock: LeaderLock = {
      get isLeader() {
        return held
      },
      acquire: () => Promise.resolve(held),
      release: () => Promise.resolve(),
    }
    const seen: boolean[] = []
    const s = new Scheduler({
      store,
      clock,
      launcher: fake.launcher,
      pipelines,
      leaderLock: lock,
      onLeaderChange: (l) => seen.push(l),
    })
    await s.tick()
    await s.tick()
    held = false
    await s.tick()
    await s.tick()
    held = true
    await s.tick()
    await s.stop()
    expect(seen).toEqual([true, false, true, false])
  })

  it('does not catch up from the beginning of time for a pipeline it never fired', async () => {
    specs.orders = { cron: '0 * * * *', catchup: 'all' }
    clock.t = T('2026-05-01T10:30:00Z')
    expect((await scheduler().tick()).started).toBe(0)
    expect(await firesOf('orders')).toEqual([])
    clock.t = T('2026-05-01T11:00:05Z')
    // a second scheduler instance has no memory: it fires what is on time only
    expect((await scheduler().tick()).started).toBe(1)
  })

  describe('catch-up after 3 missed intervals (last fire 00:00, back at 03:30)', () => {
    beforeEach(async () => {
      await store.claimFire('orders', new Date('2026-05-01T00:00:00Z'), 'started', new Date())
      clock.t = T('2026-05-01T03:30:00Z')
    })
    it('none records three skips and starts nothing', async () => {
      specs.orders = { cron: '0 * * * *', catchup: 'none', overlap: 'allow' }
      expect(await scheduler().tick()).toMatchObject({ started: 0, skipped: 3 })
      expect(await firesOf('orders')).toEqual([
        ['00:00', 'started'],
        ['01:00', 'skipped'],
        ['02:00', 'skipped'],
        ['03:00', 'skipped'],
      ])
    })
    it('latest starts 03:00 only', async () => {
      specs.orders = { cron: '0 * * * *', catchup: 'latest', overlap: 'allow' }
      expect(await scheduler().tick()).toMatchObject({ started: 1, skipped: 2 })
      expect(fake.launched.map((l) => hhmm(l.scheduledFor.toISOString()))).toEqual(['03:00'])
    })
    it('all starts 01:00, 02:00, 03:00 in order; max_catchup 2 keeps the newest two', async () => {
      specs.orders = { cron: '0 * * * *', catchup: 'all', overlap: 'allow' }
      expect(await scheduler().tick()).toMatchObject({ started: 3, skipped: 0 })
      expect(fake.launched.map((l) => hhmm(l.scheduledFor.toISOString()))).toEqual([
        '01:00',
        '02:00',
        '03:00',
      ])
      specs.other = { cron: '0 * * * *', catchup: 'all', max_catchup: 2, overlap: 'allow' }
      await store.claimFire('other', new Date('2026-05-01T00:00:00Z'), 'started', new Date())
      expect(await scheduler().tick()).toMatchObject({ started: 2, skipped: 1 })
      expect(await firesOf('other')).toEqual([
        ['00:00', 'started'],
        ['01:00', 'skipped'],
        ['02:00', 'started'],
        ['03:00', 'started'],
      ])
    })
    it('catch-up fires still go through the overlap policy', async () => {
      specs.orders = { cron: '0 * * * *', catchup: 'all' } // overlap: skip by default
      expect(await scheduler().tick()).toMatchObject({ started: 1, skipped: 2 })
      expect(await firesOf('orders')).toEqual([
        ['00:00', 'started'],
        ['01:00', 'started'],
        ['02:00', 'skipped'],
        ['03:00', 'skipped'],
      ])
    })
  })

  describe('overlap with a run still active', () => {
    async function withActiveRun(overlap: 'allow' | 'skip' | 'queue' | 'cancel_previous') {
      specs.orders = { cron: '0 * * * *', overlap }
      const s = scheduler()
      await s.tick() // 00:00 starts orders-1, still QUEUED
      clock.t = T('2026-05-01T01:00:05Z')
      return { s, result: await s.tick() }
    }

    it('allow starts a second run; both are active', async () => {
      const { result } = await withActiveRun('allow')
      expect(result).toMatchObject({ started: 1 })
      expect(await fake.launcher.activeRuns('orders')).toEqual(['orders-2', 'orders-1'])
    })

    it('skip records the skip and starts nothing', async () => {
      const { result } = await withActiveRun('skip')
      expect(result).toMatchObject({ started: 0, skipped: 1 })
      expect(fake.launched).toHaveLength(1)
      expect(await firesOf('orders')).toEqual([
        ['00:00', 'started'],
        ['01:00', 'skipped'],
      ])
    })

    it('queue waits until the active run ends, then starts the queued fire', async () => {
      const { s, result } = await withActiveRun('queue')
      expect(result).toMatchObject({ started: 0, queued: 1 })
      clock.t = T('2026-05-01T01:10:00Z')
      expect((await s.tick()).started).toBe(0) // still active
      await fake.finish('orders-1')
      clock.t = T('2026-05-01T01:10:10Z')
      expect((await s.tick()).started).toBe(1)
      expect(fake.launched.map((l) => hhmm(l.scheduledFor.toISOString()))).toEqual([
        '00:00',
        '01:00',
      ])
      expect(await firesOf('orders')).toEqual([
        ['00:00', 'started'],
        ['01:00', 'started'],
      ])
      expect((await s.tick()).started).toBe(0)
    })

    it('queue keeps order: two queued fires start one at a time, oldest first', async () => {
      const { s } = await withActiveRun('queue')
      clock.t = T('2026-05-01T02:00:05Z')
      expect(await s.tick()).toMatchObject({ queued: 1 })
      await fake.finish('orders-1')
      clock.t = T('2026-05-01T02:00:15Z')
      expect((await s.tick()).started).toBe(1)
      expect((await s.tick()).started).toBe(0) // 01:00 run is active now
      await fake.finish('orders-2')
      expect((await s.tick()).started).toBe(1)
      expect(fake.launched.map((l) => hhmm(l.scheduledFor.toISOString()))).toEqual([
        '00:00',
        '01:00',
        '02:00',
      ])
    })

    it('cancel_previous cancels the active run, then starts', async () => {
      const { result } = await withActiveRun('cancel_previous')
      expect(result).toMatchObject({ started: 1 })
      expect(fake.cancelled).toEqual([
        ['orders-1', 'superseded by the fire due 2026-05-01T01:00:00.000Z'],
      ])
      expect((await store.getRun('orders-1'))?.state).toBe('CANCELLED')
      expect(await fake.launcher.activeRuns('orders')).toEqual(['orders-2'])
    })
  })

  it('pause stops fires and records the reason; resume does not catch up what was missed', async () => {
    specs.orders = { cron: '0 * * * *', catchup: 'all', overlap: 'allow' }
    const s = scheduler()
    await s.tick() // 00:00
    clock.t = T('2026-05-01T00:10:00Z')
    const paused = await s.pause('orders', 'warehouse maintenance', 'cli:alice')
    expect(paused).toMatchObject({ paused: true, reason: 'warehouse maintenance' })
    for (const at of ['01:00:05', '02:00:05', '03:00:05']) {
      clock.t = T(`2026-05-01T${at}Z`)
      expect((await s.tick()).started).toBe(0)
    }
    expect(await s.status('orders')).toMatchObject({
      pipeline: 'orders',
      paused: true,
      reason: 'warehouse maintenance',
      updatedBy: 'cli:alice',
      nextFireAt: null,
      counts: { started: 1 },
    })
    clock.t = T('2026-05-01T03:10:00Z')
    await s.resume('orders', 'api')
    const status = await s.status('orders')
    expect(status).toMatchObject({ paused: false, nextFireAt: '2026-05-01T04:00:00.000Z' })
    expect(status?.lastFire).toMatchObject({ dueAt: '2026-05-01T00:00:00.000Z' })
    expect((await s.tick()).started).toBe(0) // 01:00–03:00 stay missed despite catchup: all
    clock.t = T('2026-05-01T04:00:05Z')
    expect((await s.tick()).started).toBe(1)
    expect(fake.launched.map((l) => hhmm(l.scheduledFor.toISOString()))).toEqual(['00:00', '04:00'])
  })

  it('lists every pipeline with its next fire; a disabled schedule never fires', async () => {
    specs.b = { cron: '30 * * * *', enabled: false }
    specs.a = '15 * * * *'
    const s = scheduler()
    clock.t = T('2026-05-01T00:40:00Z')
    expect((await s.tick()).started).toBe(0)
    clock.t = T('2026-05-01T01:30:05Z')
    // a's 01:15 fire is 15 min late: missed, and skipped under catchup none; b is disabled
    expect((await s.tick()).started).toBe(0)
    expect(await firesOf('a')).toEqual([['01:15', 'skipped']])
    expect(await firesOf('b')).toEqual([])
    const list = await s.list()
    expect(list.map((x) => [x.pipeline, x.enabled, x.nextFireAt])).toEqual([
      ['a', true, '2026-05-01T02:15:00.000Z'],
      ['b', false, null],
    ])
    expect(await s.status('nope')).toBeUndefined()
  })

  it('takes a schedule edit at the next tick (SMI-02)', async () => {
    specs.orders = { cron: '0 * * * *', overlap: 'allow' }
    const s = scheduler()
    await s.tick()
    specs.orders = { cron: '*/15 * * * *', overlap: 'allow' }
    expect((await s.status('orders'))?.nextFireAt).toBe('2026-05-01T00:15:00.000Z')
    clock.t = T('2026-05-01T00:15:01Z')
    expect((await s.tick()).started).toBe(1)
  })

  it('start() ticks at once, then on the wall-clock grid of the interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      vi.setSystemTime(T('2026-05-01T00:00:58.300Z'))
      specs.every = { cron: '* * * * *', overlap: 'allow' }
      const ticks: string[] = []
      const s = new Scheduler({
        store,
        launcher: fake.launcher,
        pipelines: () => {
          ticks.push(new Date().toISOString().slice(17, 23))
          return pipelines()
        },
        onError: (e) => errors.push(e),
      })
      s.start(1000)
      await vi.advanceTimersByTimeAsync(2500)
      await s.stop()
      // started at :58.300; the next ticks are 2 ms after each whole second, not at :59.300
      expect(ticks).toEqual(['58.300', '59.002', '00.002'])
      // the fire due at 00:01:00 was launched by the 00:01:00.002 tick; the one at start-up
      // (00:00, within the tolerance) by the first tick
      expect(fake.launched.map((l) => l.scheduledFor.toISOString().slice(11, 19))).toEqual([
        '00:00:00',
        '00:01:00',
      ])
      const runs = await store.listRuns({ pipeline: 'every' })
      const lag = runs.map((r) => Date.parse(r.createdAt) - Date.parse(r.scheduledFor!))
      expect(Math.min(...lag)).toBe(2)
      await vi.advanceTimersByTimeAsync(5000)
      expect(ticks).toHaveLength(3) // stopped: no tick after stop()
    } finally {
      vi.useRealTimers()
    }
  })

  it('evaluates a pipeline whose next fire is hours away again only when it is due', async () => {
    specs.daily = { cron: '0 2 * * *', overlap: 'allow' }
    specs.hourly = { cron: '0 * * * *', overlap: 'allow' }
    const s = scheduler()
    expect((await s.tick()).started).toBe(1) // hourly 00:00 (on time); daily's 02:00 is ahead
    for (const at of ['01:00:00', '01:59:59.999']) {
      clock.t = T(`2026-05-01T${at}Z`)
      expect((await s.tick()).started).toBe(at === '01:00:00' ? 1 : 0)
    }
    clock.t = T('2026-05-01T02:00:00Z')
    expect((await s.tick()).started).toBe(2)
    expect(await firesOf('daily')).toEqual([['02:00', 'started']])
    expect(await firesOf('hourly')).toHaveLength(3)
    // a timezone edit moves the next fire: 02:00 in Berlin (UTC+2 in May) was 00:00 UTC
    specs.daily = { cron: '0 2 * * *', timezone: 'Europe/Berlin', overlap: 'allow' }
    clock.t = T('2026-05-02T00:00:01Z')
    expect((await s.tick()).started).toBe(2)
    expect(await firesOf('daily')).toEqual([
      ['02:00', 'started'],
      ['00:00', 'started'],
    ])
  })

  it('does nothing but try for the lock when not the leader', async () => {
    specs.orders = '0 * * * *'
    const tries: number[] = []
    const never: LeaderLock = {
      isLeader: false,
      acquire: () => {
        tries.push(1)
        return Promise.resolve(false)
      },
      release: () => Promise.resolve(),
    }
    expect(await scheduler(never).tick()).toEqual({
      leader: false,
      started: 0,
      skipped: 0,
      queued: 0,
    })
    expect(tries).toHaveLength(1)
    expect(fake.launched).toEqual([])
    expect(await firesOf('orders')).toEqual([])
  })

  it('records a fire the launcher declined as skipped', async () => {
    specs.orders = '0 * * * *'
    fake.declineAll()
    expect(await scheduler().tick()).toMatchObject({ started: 0, skipped: 1 })
    expect(await firesOf('orders')).toEqual([['00:00', 'skipped']])
  })

  it('recovers a claim whose scheduler died: finds its run, or launches it once', async () => {
    specs.orders = { cron: '0 * * * *', overlap: 'allow' }
    const due0 = new Date('2026-05-01T00:00:00Z')
    const due1 = new Date('2026-05-01T01:00:00Z')
    // died after creating the run for 00:00, and before launching 01:00
    await store.claimFire('orders', due0, 'claimed', due0)
    await store.createRun({
      id: 'orphan',
      pipeline: 'orders',
      pipelineHash: 'h',
      params: {},
      trigger: 'schedule',
      tasks: [],
      scheduledFor: due0,
    })
    await store.claimFire('orders', due1, 'claimed', due1)
    clock.t = T('2026-05-01T01:00:30Z')
    const s = scheduler()
    // the 00:00 claim is old: its run exists, so it is recorded, not launched again;
    // the 01:00 claim is 30 s old (timeout 60 s): its owner may still be launching it
    expect((await s.tick()).started).toBe(0)
    expect(await firesOf('orders')).toEqual([
      ['00:00', 'started'],
      ['01:00', 'claimed'],
    ])
    clock.t = T('2026-05-01T01:01:05Z')
    expect((await s.tick()).started).toBe(1)
    expect((await s.tick()).started).toBe(0)
    const fires = await store.listFires('orders', { oldestFirst: true })
    expect(fires.map((f) => [hhmm(f.dueAt), f.outcome, f.runId])).toEqual([
      ['00:00', 'started', 'orphan'],
      ['01:00', 'started', 'orders-1'],
    ])
  })

  it('reports a failing pipeline and goes on with the others', async () => {
    specs.bad = '0 * * * *'
    specs.good = { cron: '0 * * * *' }
    const s = new Scheduler({
      store,
      clock,
      pipelines,
      toleranceMs: 60_000,
      onError: (e, p) => errors.push([p, String(e)]),
      launcher: {
        ...fake.launcher,
        launch: (req) =>
          req.pipeline === 'bad' ? Promise.reject(new Error('boom')) : fake.launcher.launch(req),
      },
    })
    expect((await s.tick()).started).toBe(1)
    expect(errors.splice(0)).toEqual([['bad', 'Error: boom']])
    expect(await firesOf('bad')).toEqual([['00:00', 'claimed']])
  })
})
