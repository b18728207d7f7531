import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backfillIntervals } from '../../../src/scheduler/backfill-intervals.js'
import { runBackfill } from '../../../src/scheduler/run-backfill.js'
import type { LaunchRequest } from '../../../src/scheduler/scheduler.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'
import type { StateStore } from '../../../src/state/state-store.js'

const dir = mkdtempSync(join(tmpdir(), 'sluice-bf-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0

describe('runBackfill', () => {
  let store: StateStore
  let launched: LaunchRequest[]
  let failAt: string | undefined
  const intervals = backfillIntervals({
    from: new Date('2026-01-01T00:00:00Z'),
    to: new Date('2026-01-04T00:00:00Z'),
    every: '1d',
  })
  const launcher = {
    async launch(req: LaunchRequest) {
      if (req.logicalDate.toISOString() === failAt) throw new Error('crash')
      launched.push(req)
      const id = `run-${launched.length}`
      await store.createRun({
        id,
        pipeline: req.pipeline,
        pipelineHash: req.hash,
        params: req.params,
        trigger: req.trigger,
        tasks: [],
        scheduledFor: req.scheduledFor,
        ...(req.groupId !== undefined && { groupId: req.groupId }),
      })
      return { runId: id }
    },
  }
  const backfill = () =>
    runBackfill({
      store,
      launcher,
      pipeline: 'orders',
      hash: 'h',
      params: { x: 1 },
      intervals,
      groupId: 'bf1',
    })

  beforeEach(async () => {
    store = await SqliteStateStore.open({ path: join(dir, `b-${++n}.db`) })
    launched = []
    failAt = undefined
  })
  afterEach(() => store.close())

  it('launches one backfill run per interval, visible as a group', async () => {
    expect(await backfill()).toEqual({ runIds: ['run-1', 'run-2', 'run-3'], reused: 0 })
    expect(
      launched.map((l) => [
        l.trigger,
        l.logicalDate.toISOString().slice(0, 10),
        l.scheduledFor.toISOString().slice(0, 10),
      ]),
    ).toEqual([
      ['backfill', '2026-01-01', '2026-01-02'],
      ['backfill', '2026-01-02', '2026-01-03'],
      ['backfill', '2026-01-03', '2026-01-04'],
    ])
    expect(launched[0]).toMatchObject({ groupId: 'bf1', params: { x: 1 } })
    const group = await store.listRuns({ groupId: 'bf1' })
    expect(group.map((r) => r.id).sort()).toEqual(['run-1', 'run-2', 'run-3'])
  })

  it('resumes: a second attempt of the same group launches only what is missing', async () => {
    failAt = '2026-01-02T00:00:00.000Z'
    await expect(backfill()).rejects.toThrow('crash')
    expect(launched).toHaveLength(1)
    failAt = undefined
    expect(await backfill()).toEqual({ runIds: ['run-1', 'run-2', 'run-3'], reused: 1 })
    expect(launched.map((l) => l.logicalDate.toISOString().slice(0, 10))).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
    ])
    expect(await backfill()).toEqual({ runIds: ['run-1', 'run-2', 'run-3'], reused: 3 })
    expect(launched).toHaveLength(3)
  })

  it('matches a claim whose run was created but never attached (crash in between)', async () => {
    const first = intervals[0]!
    await store.claimTriggerKey(
      'orders',
      `backfill:bf1:${first.start.toISOString()}/${first.end.toISOString()}`,
      new Date(),
    )
    await store.createRun({
      id: 'earlier',
      pipeline: 'orders',
      pipelineHash: 'h',
      params: {},
      trigger: 'backfill',
      tasks: [],
      groupId: 'bf1',
      scheduledFor: first.end,
    })
    expect(await backfill()).toEqual({ runIds: ['earlier', 'run-1', 'run-2'], reused: 1 })
    expect(launched).toHaveLength(2)
  })
})
