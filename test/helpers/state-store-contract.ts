import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SecretMask } from '../../src/core/secret-mask.js'
import { SluiceError } from '../../src/core/sluice-error.js'
import type { NewCheckResult, NewRun } from '../../src/state/records.js'
import type { StateStore } from '../../src/state/state-store.js'

export interface StateStoreHarness {
  readonly store: StateStore
  /** Opens a second store on the same database (runs migrations again). */
  readonly reopen: () => Promise<StateStore>
  /** Raw SQL on the same database, bypassing the store. */
  readonly raw: (sql: string) => Promise<Record<string, unknown>[]>
  /** Closes everything and removes the database. */
  readonly cleanup: () => Promise<void>
}

export type StateStoreFactory = (options: { mask: SecretMask }) => Promise<StateStoreHarness>

const SECRET = 'hunter2-s3cr3t-token'
const T0 = new Date('2024-03-01T10:00:00.000Z')
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000)
const TABLES = [
  'pipeline_versions',
  'runs',
  'tasks',
  'task_attempts',
  'task_logs',
  'checkpoints',
  'watermarks',
  'dead_letters',
  'events',
  'check_results',
  'schedules',
  'schedule_fires',
  'trigger_keys',
]

function newRun(id: string, extra: Partial<NewRun> = {}): NewRun {
  return {
    id,
    pipeline: 'orders',
    pipelineHash: 'h1',
    params: { day: '2024-03-01', limit: 10 },
    trigger: 'manual',
    tasks: [{ taskId: 'extract' }, { taskId: 'load' }],
    at: T0,
    ...extra,
  }
}

function check(runId: string, name: string, failing: number, when: Date): NewCheckResult {
  return {
    runId,
    pipeline: 'orders',
    taskId: 'clean',
    attempt: 1,
    name,
    type: name.replace(/\(.*$/, ''),
    severity: 'error',
    status: failing > 0 ? 'fail' : 'pass',
    failing,
    total: 100,
    message: `${failing} of 100 rows`,
    sample: failing > 0 ? [{ id: null, n: '9007199254740993' }] : [],
    at: when,
  }
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(SluiceError)
    return (e as SluiceError).code
  }
  throw new Error('expected a SluiceError, the call succeeded')
}

/** Registers the StateStore contract: every implementation must pass all of it. */
export function describeStateStore(name: string, factory: StateStoreFactory): void {
  describe(`StateStore contract: ${name}`, () => {
    let h: StateStoreHarness
    let s: StateStore
    const extra: StateStore[] = []
    const mask = new SecretMask()
    mask.add(SECRET)

    beforeEach(async () => {
      h = await factory({ mask })
      s = h.store
    })
    afterEach(async () => {
      for (const x of extra.splice(0)) await x.close()
      await h.cleanup()
    })

    /** Runs a task QUEUED → RUNNING (from PENDING), returning its attempt number. */
    async function start(runId: string, taskId: string, t = 1) {
      await s.transitionTask(runId, taskId, 'PENDING', 'QUEUED', { at: at(t) })
      return s.startAttempt(runId, taskId, at(t + 1))
    }

    describe('pipeline versions', () => {
      it('is idempotent by (pipeline, hash) and numbers versions per pipeline', async () => {
        expect(await s.savePipelineVersion({ pipeline: 'a', hash: 'x', source: 's1' })).toBe(1)
        expect(await s.savePipelineVersion({ pipeline: 'a', hash: 'y', source: 's2' })).toBe(2)
        expect(await s.savePipelineVersion({ pipeline: 'a', hash: 'x', source: 's1' })).toBe(1)
        expect(await s.savePipelineVersion({ pipeline: 'b', hash: 'x', source: 's1' })).toBe(1)
        const v = await s.getPipelineVersion('a', 'y')
        expect(v).toMatchObject({ pipeline: 'a', version: 2, hash: 'y', source: 's2' })
        expect(await s.getPipelineVersion('a', 'nope')).toBeUndefined()
      })
    })

    describe('runs', () => {
      it('creates a QUEUED run with one PENDING attempt-0 row per task', async () => {
        const run = await s.createRun(newRun('r1', { owner: 'host:1' }))
        expect(run).toMatchObject({
          id: 'r1',
          pipeline: 'orders',
          pipelineHash: 'h1',
          params: { day: '2024-03-01', limit: 10 },
          trigger: 'manual',
          state: 'QUEUED',
          owner: 'host:1',
          createdAt: T0.toISOString(),
          startedAt: null,
          finishedAt: null,
          error: null,
        })
        expect(await s.getRun('r1')).toEqual(run)
        const tasks = await s.listTasks('r1')
        expect(tasks.map((t) => [t.taskId, t.state, t.attempt])).toEqual([
          ['extract', 'PENDING', 0],
          ['load', 'PENDING', 0],
        ])
        expect(tasks[0]!.attempts).toEqual([
          expect.objectContaining({ attempt: 0, state: 'PENDING', startedAt: null, error: null }),
        ])
        expect((await s.listEvents('r1')).map((e) => e.type)).toEqual(['run:created'])
      })

      it('returns undefined for an unknown run and rejects a duplicate id', async () => {
        expect(await s.getRun('missing')).toBeUndefined()
        await s.createRun(newRun('r1'))
        expect(await codeOf(s.createRun(newRun('r1')))).toBe('E_STATE_CONFLICT')
        expect(await s.listTasks('r1')).toHaveLength(2)
      })

      it('lists runs newest first, filtered by pipeline and state, with a limit', async () => {
        await s.createRun(newRun('r1', { at: at(1) }))
        await s.createRun(newRun('r2', { at: at(2), pipeline: 'other' }))
        await s.createRun(newRun('r3', { at: at(3) }))
        await s.transitionRun('r3', 'QUEUED', 'RUNNING', at(4))
        expect((await s.listRuns()).map((r) => r.id)).toEqual(['r3', 'r2', 'r1'])
        expect((await s.listRuns({ pipeline: 'orders' })).map((r) => r.id)).toEqual(['r3', 'r1'])
        expect((await s.listRuns({ state: 'QUEUED' })).map((r) => r.id)).toEqual(['r2', 'r1'])
        expect((await s.listRuns({ limit: 1 })).map((r) => r.id)).toEqual(['r3'])
      })

      it('moves through allowed transitions, stamping times and errors, with events', async () => {
        await s.createRun(newRun('r1'))
        await s.transitionRun('r1', 'QUEUED', 'RUNNING', at(1))
        let run = await s.getRun('r1')
        expect(run).toMatchObject({
          state: 'RUNNING',
          startedAt: at(1).toISOString(),
          heartbeatAt: at(1).toISOString(),
        })
        await s.transitionRun('r1', 'RUNNING', 'FAILED', at(2), { code: 'E_X', message: 'boom' })
        run = await s.getRun('r1')
        expect(run).toMatchObject({
          state: 'FAILED',
          finishedAt: at(2).toISOString(),
          error: { code: 'E_X', message: 'boom' },
        })
        // resume: FAILED → RUNNING clears the error and the finish time, keeps the start
        await s.transitionRun('r1', 'FAILED', 'RUNNING', at(3))
        run = await s.getRun('r1')
        expect(run).toMatchObject({
          state: 'RUNNING',
          startedAt: at(1).toISOString(),
          finishedAt: null,
          error: null,
        })
        const events = (await s.listEvents('r1')).filter((e) => e.type === 'run:state')
        expect(events.map((e) => [e.data.from, e.data.to, e.at])).toEqual([
          ['QUEUED', 'RUNNING', at(1).toISOString()],
          ['RUNNING', 'FAILED', at(2).toISOString()],
          ['FAILED', 'RUNNING', at(3).toISOString()],
        ])
      })

      it('rejects a forbidden transition and leaves the row and events unchanged', async () => {
        await s.createRun(newRun('r1'))
        const before = await s.getRun('r1')
        const eventsBefore = await s.listEvents('r1')
        expect(await codeOf(s.transitionRun('r1', 'QUEUED', 'SUCCESS', at(1)))).toBe(
          'E_STATE_TRANSITION',
        )
        await s.transitionRun('r1', 'QUEUED', 'RUNNING', at(1))
        await s.transitionRun('r1', 'RUNNING', 'SUCCESS', at(2))
        expect(await codeOf(s.transitionRun('r1', 'SUCCESS', 'RUNNING', at(3)))).toBe(
          'E_STATE_TRANSITION',
        )
        expect(before?.state).toBe('QUEUED')
        expect(eventsBefore).toHaveLength(1)
        expect((await s.getRun('r1'))?.state).toBe('SUCCESS')
      })

      it('compare-and-set: a stale `from` is rejected and changes nothing', async () => {
        await s.createRun(newRun('r1'))
        await s.transitionRun('r1', 'QUEUED', 'RUNNING', at(1))
        const before = await s.getRun('r1')
        const n = (await s.listEvents('r1')).length
        // allowed move (QUEUED → CANCELLED) but the row is RUNNING now
        expect(await codeOf(s.transitionRun('r1', 'QUEUED', 'CANCELLED', at(2)))).toBe(
          'E_STATE_TRANSITION',
        )
        expect(await s.getRun('r1')).toEqual(before)
        expect(await s.listEvents('r1')).toHaveLength(n)
        expect(await codeOf(s.transitionRun('nope', 'QUEUED', 'RUNNING', at(2)))).toBe(
          'E_STATE_NOT_FOUND',
        )
      })

      it('concurrent compare-and-set from two stores: exactly one wins', async () => {
        const other = await h.reopen()
        extra.push(other)
        for (let i = 0; i < 5; i++) {
          await s.createRun(newRun(`c${i}`))
          const results = await Promise.allSettled([
            s.transitionRun(`c${i}`, 'QUEUED', 'RUNNING', at(1)),
            other.transitionRun(`c${i}`, 'QUEUED', 'CANCELLED', at(1)),
          ])
          const won = results.filter((r) => r.status === 'fulfilled')
          const lost = results.filter((r) => r.status === 'rejected')
          expect(won).toHaveLength(1)
          expect(lost).toHaveLength(1)
          expect((lost[0]!.reason as SluiceError).code).toBe('E_STATE_TRANSITION')
          const state = (await s.getRun(`c${i}`))!.state
          expect(results[0].status === 'fulfilled' ? 'RUNNING' : 'CANCELLED').toBe(state)
          const moves = (await s.listEvents(`c${i}`)).filter((e) => e.type === 'run:state')
          expect(moves).toHaveLength(1)
        }
      })

      it('records heartbeats and rejects them for unknown runs', async () => {
        await s.createRun(newRun('r1'))
        await s.heartbeat('r1', 'box:42', at(5))
        expect(await s.getRun('r1')).toMatchObject({
          owner: 'box:42',
          heartbeatAt: at(5).toISOString(),
        })
        expect(await codeOf(s.heartbeat('nope', 'box:42', at(5)))).toBe('E_STATE_NOT_FOUND')
      })
    })

    describe('tasks and attempts', () => {
      it('runs a task to SUCCESS with metrics on the attempt and an event per move', async () => {
        await s.createRun(newRun('r1'))
        expect(await start('r1', 'extract')).toBe(0)
        await s.transitionTask('r1', 'extract', 'RUNNING', 'SUCCESS', {
          at: at(5),
          metrics: { rowsIn: 10, rowsOut: 8, bytes: 1234, durationMs: 3500 },
        })
        const [t] = await s.listTasks('r1')
        expect(t).toMatchObject({ taskId: 'extract', state: 'SUCCESS', attempt: 0 })
        expect(t!.attempts).toEqual([
          expect.objectContaining({
            attempt: 0,
            state: 'SUCCESS',
            startedAt: at(2).toISOString(),
            finishedAt: at(5).toISOString(),
            rowsIn: 10,
            rowsOut: 8,
            bytes: 1234,
            durationMs: 3500,
            error: null,
          }),
        ])
        const moves = (await s.listEvents('r1')).filter((e) => e.type === 'task:state')
        expect(moves.map((e) => [e.data.taskId, e.data.from, e.data.to])).toEqual([
          ['extract', 'PENDING', 'QUEUED'],
          ['extract', 'QUEUED', 'RUNNING'],
          ['extract', 'RUNNING', 'SUCCESS'],
        ])
      })

      it('computes durationMs from startedAt when not given', async () => {
        await s.createRun(newRun('r1'))
        await start('r1', 'extract')
        await s.transitionTask('r1', 'extract', 'RUNNING', 'FAILED', {
          at: at(4),
          error: { code: 'E_X', message: 'bad', retryable: false },
        })
        const [t] = await s.listTasks('r1')
        expect(t!.attempts[0]).toMatchObject({
          durationMs: 2000,
          error: { code: 'E_X', message: 'bad', retryable: false },
        })
      })

      it('a retry opens attempt n+1 and keeps the failed attempt in the history', async () => {
        await s.createRun(newRun('r1'))
        await start('r1', 'extract')
        await s.transitionTask('r1', 'extract', 'RUNNING', 'RETRYING', {
          at: at(3),
          error: { code: 'E_NET', message: 'reset', retryable: true },
        })
        await s.transitionTask('r1', 'extract', 'RETRYING', 'QUEUED', { at: at(10) })
        expect(await s.startAttempt('r1', 'extract', at(11))).toBe(1)
        await s.transitionTask('r1', 'extract', 'RUNNING', 'SUCCESS', { at: at(12) })
        const [t] = await s.listTasks('r1')
        expect(t).toMatchObject({ state: 'SUCCESS', attempt: 1 })
        expect(t!.attempts.map((a) => [a.attempt, a.state, a.error?.code ?? null])).toEqual([
          [0, 'RETRYING', 'E_NET'],
          [1, 'SUCCESS', null],
        ])
        expect(t!.attempts[0]!.error?.retryable).toBe(true)
        expect(t!.attempts[1]).toMatchObject({
          startedAt: at(11).toISOString(),
          durationMs: 1000,
        })
      })

      it('rejects forbidden and stale task transitions without changing anything', async () => {
        await s.createRun(newRun('r1'))
        const before = await s.listTasks('r1')
        const n = (await s.listEvents('r1')).length
        expect(
          await codeOf(s.transitionTask('r1', 'extract', 'PENDING', 'SUCCESS', { at: at(1) })),
        ).toBe('E_STATE_TRANSITION')
        // allowed move, wrong current state
        expect(
          await codeOf(s.transitionTask('r1', 'extract', 'RUNNING', 'SUCCESS', { at: at(1) })),
        ).toBe('E_STATE_TRANSITION')
        expect(await codeOf(s.startAttempt('r1', 'extract', at(1)))).toBe('E_STATE_TRANSITION')
        expect(await s.listTasks('r1')).toEqual(before)
        expect(await s.listEvents('r1')).toHaveLength(n)
        expect(
          await codeOf(s.transitionTask('r1', 'nope', 'PENDING', 'QUEUED', { at: at(1) })),
        ).toBe('E_STATE_NOT_FOUND')
      })

      it('concurrent task compare-and-set: exactly one wins', async () => {
        const other = await h.reopen()
        extra.push(other)
        await s.createRun(newRun('r1'))
        await s.transitionTask('r1', 'extract', 'PENDING', 'QUEUED', { at: at(1) })
        const results = await Promise.allSettled([
          s.startAttempt('r1', 'extract', at(2)),
          other.startAttempt('r1', 'extract', at(2)),
          other.transitionTask('r1', 'extract', 'QUEUED', 'CANCELLED', { at: at(2) }),
        ])
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
        for (const r of results) {
          if (r.status === 'rejected') {
            expect((r.reason as SluiceError).code).toBe('E_STATE_TRANSITION')
          }
        }
        const [t] = await s.listTasks('r1')
        expect(t!.attempts).toHaveLength(1)
        expect(['RUNNING', 'CANCELLED']).toContain(t!.state)
      })

      it('resume opens attempt n+1 for FAILED, CANCELLED and SKIPPED tasks only', async () => {
        await s.createRun(
          newRun('r1', {
            tasks: [{ taskId: 'a' }, { taskId: 'b' }, { taskId: 'c' }, { taskId: 'd' }],
          }),
        )
        await s.transitionRun('r1', 'QUEUED', 'RUNNING', at(0))
        await start('r1', 'a')
        await s.transitionTask('r1', 'a', 'RUNNING', 'SUCCESS', { at: at(3) })
        await start('r1', 'b')
        await s.transitionTask('r1', 'b', 'RUNNING', 'RETRYING', { at: at(3) })
        await s.transitionTask('r1', 'b', 'RETRYING', 'QUEUED', { at: at(4) })
        await s.startAttempt('r1', 'b', at(5))
        await s.transitionTask('r1', 'b', 'RUNNING', 'FAILED', {
          at: at(6),
          error: { code: 'E_X', message: 'no' },
        })
        await s.transitionTask('r1', 'c', 'PENDING', 'SKIPPED', { at: at(6) })
        await s.transitionTask('r1', 'd', 'PENDING', 'CANCELLED', { at: at(6) })
        await s.transitionRun('r1', 'RUNNING', 'FAILED', at(7))

        expect(await s.resetForResume('r1', at(8))).toEqual(['b', 'c', 'd'])
        const tasks = await s.listTasks('r1')
        expect(tasks.map((t) => [t.taskId, t.state, t.attempt])).toEqual([
          ['a', 'SUCCESS', 0],
          ['b', 'PENDING', 2],
          ['c', 'PENDING', 1],
          ['d', 'PENDING', 1],
        ])
        const b = tasks[1]!
        expect(b.attempts.map((x) => [x.attempt, x.state])).toEqual([
          [0, 'RETRYING'],
          [1, 'FAILED'],
          [2, 'PENDING'],
        ])
        expect(await s.resetForResume('r1', at(9))).toEqual([])
        await s.transitionRun('r1', 'FAILED', 'RUNNING', at(9))
        expect(await start('r1', 'b', 10)).toBe(2)
        expect(await codeOf(s.resetForResume('nope'))).toBe('E_STATE_NOT_FOUND')
      })
    })

    describe('orphans', () => {
      it('finds RUNNING runs with a stale heartbeat and their RUNNING attempts', async () => {
        await s.createRun(newRun('stale'))
        await s.transitionRun('stale', 'QUEUED', 'RUNNING', at(0))
        await s.heartbeat('stale', 'deadhost:1', at(1))
        await start('stale', 'extract', 2)
        await s.createRun(newRun('fresh'))
        await s.transitionRun('fresh', 'QUEUED', 'RUNNING', at(0))
        await s.heartbeat('fresh', 'livehost:2', at(100))
        await s.createRun(newRun('done'))
        await s.transitionRun('done', 'QUEUED', 'RUNNING', at(0))
        await s.transitionRun('done', 'RUNNING', 'SUCCESS', at(1))
        await s.createRun(newRun('queued'))

        const orphans = await s.findOrphans(at(60))
        expect(orphans).toEqual([
          {
            runId: 'stale',
            pipeline: 'orders',
            owner: 'deadhost:1',
            heartbeatAt: at(1).toISOString(),
            attempts: [{ taskId: 'extract', attempt: 0 }],
          },
        ])
        expect(await s.findOrphans(at(0))).toEqual([])
      })
    })

    describe('logs', () => {
      it('appends and reads logs in order, per run or per task', async () => {
        await s.createRun(newRun('r1'))
        await s.appendLog('r1', 'extract', 0, 'stdout', 'line 1', at(1))
        await s.appendLog('r1', 'load', 0, 'stderr', 'oops', at(2))
        await s.appendLog('r1', 'extract', 1, 'log', 'line 2', at(3))
        const all = await s.readLogs('r1')
        expect(all.map((l) => [l.taskId, l.attempt, l.stream, l.text])).toEqual([
          ['extract', 0, 'stdout', 'line 1'],
          ['load', 0, 'stderr', 'oops'],
          ['extract', 1, 'log', 'line 2'],
        ])
        expect(all[0]!.at).toBe(at(1).toISOString())
        expect((await s.readLogs('r1', 'extract')).map((l) => l.text)).toEqual(['line 1', 'line 2'])
        expect(await s.readLogs('other')).toEqual([])
        // following a run reads only what came after the last line seen
        expect((await s.readLogs('r1', undefined, all[0]!.id)).map((l) => l.text)).toEqual([
          'oops',
          'line 2',
        ])
        expect(await s.readLogs('r1', 'extract', all[2]!.id)).toEqual([])
      })
    })

    describe('checkpoints and watermarks', () => {
      it('saves, overwrites, loads and clears checkpoints per task', async () => {
        await s.createRun(newRun('r1'))
        expect(await s.loadCheckpoint('r1', 'extract', 'cursor')).toBeUndefined()
        await s.saveCheckpoint('r1', 'extract', 'cursor', { page: 1 })
        await s.saveCheckpoint('r1', 'extract', 'cursor', { page: 2, ids: [1, 2] })
        await s.saveCheckpoint('r1', 'extract', 'other', 'x')
        await s.saveCheckpoint('r1', 'load', 'cursor', 7)
        expect(await s.loadCheckpoint('r1', 'extract', 'cursor')).toEqual({ page: 2, ids: [1, 2] })
        expect(await s.clearCheckpoints('r1', 'extract')).toBe(2)
        expect(await s.loadCheckpoint('r1', 'extract', 'cursor')).toBeUndefined()
        expect(await s.loadCheckpoint('r1', 'load', 'cursor')).toBe(7)
      })

      it('gets and sets watermarks per pipeline', async () => {
        expect(await s.getWatermark('orders', 'updated_at')).toBeUndefined()
        await s.setWatermark('orders', 'updated_at', '2024-01-01')
        await s.setWatermark('orders', 'updated_at', '2024-02-01')
        await s.setWatermark('users', 'updated_at', { id: 5 })
        expect(await s.getWatermark('orders', 'updated_at')).toBe('2024-02-01')
        expect(await s.getWatermark('users', 'updated_at')).toEqual({ id: 5 })
      })
    })

    describe('dead letters', () => {
      it('adds, lists, gets, requeues and purges', async () => {
        const error = { code: 'E_X', message: 'gave up' }
        const a = await s.addDeadLetter({
          runId: 'r1',
          taskId: 'load',
          attempt: 2,
          error,
          inputs: { rows: 3 },
          at: at(1),
        })
        const b = await s.addDeadLetter({ runId: 'r1', taskId: 'x', attempt: 0, error, inputs: [] })
        const c = await s.addDeadLetter({ runId: 'r2', taskId: 'y', attempt: 0, error, inputs: 1 })
        expect((await s.listDeadLetters()).map((d) => d.id)).toEqual([a, b, c])
        expect(await s.getDeadLetter(a)).toEqual({
          id: a,
          runId: 'r1',
          taskId: 'load',
          attempt: 2,
          error,
          inputs: { rows: 3 },
          createdAt: at(1).toISOString(),
          requeuedAt: null,
        })
        await s.markRequeued(a, at(5))
        expect((await s.getDeadLetter(a))?.requeuedAt).toBe(at(5).toISOString())
        expect(await codeOf(s.markRequeued(999999))).toBe('E_STATE_NOT_FOUND')
        expect(await s.purgeDeadLetters([])).toBe(0)
        expect(await s.purgeDeadLetters([a])).toBe(1)
        expect(await s.getDeadLetter(a)).toBeUndefined()
        expect(await s.purgeDeadLetters()).toBe(2)
        expect(await s.listDeadLetters()).toEqual([])
      })
    })

    describe('audit events', () => {
      it('records events with and without a run', async () => {
        await s.createRun(newRun('r1'))
        const id = await s.recordEvent({
          runId: 'r1',
          type: 'run.requested',
          actor: 'cli:alice',
          at: at(1),
          data: { why: 'test', n: [1, 2] },
        })
        await s.recordEvent({ type: 'dlq.purged', actor: 'api', at: at(2), data: {} })
        const events = await s.listEvents('r1')
        expect(events.map((e) => e.type)).toEqual(['run:created', 'run.requested'])
        expect(events[1]).toEqual({
          id,
          runId: 'r1',
          type: 'run.requested',
          actor: 'cli:alice',
          at: at(1).toISOString(),
          data: { why: 'test', n: [1, 2] },
        })
      })
    })

    describe('secrets', () => {
      it('never writes a known secret or a URL password', async () => {
        const url = 'postgres://app:pa55word@db:5432/x'
        await s.createRun(newRun('r1', { params: { token: SECRET, nested: [{ url }] } }))
        await s.transitionRun('r1', 'QUEUED', 'RUNNING', at(1))
        await start('r1', 'extract')
        await s.transitionTask('r1', 'extract', 'RUNNING', 'FAILED', {
          at: at(3),
          error: { code: 'E_AUTH', message: `login with ${SECRET} to ${url} failed` },
        })
        await s.transitionRun('r1', 'RUNNING', 'FAILED', at(4), {
          code: 'E_AUTH',
          message: `bad ${SECRET}`,
        })
        await s.appendLog('r1', 'extract', 0, 'stderr', `Authorization: Bearer ${SECRET}`)
        await s.addDeadLetter({
          runId: 'r1',
          taskId: 'extract',
          attempt: 0,
          error: { code: 'E_AUTH', message: SECRET },
          inputs: { header: `"${SECRET}"` },
        })
        await s.recordEvent({ runId: 'r1', type: 'x', actor: 'y', at: at(5), data: { SECRET } })
        await s.recordCheckResults([
          { ...check('r1', 'c', 1, at(6)), message: `saw ${SECRET}`, sample: [{ t: SECRET }] },
        ])

        const run = await s.getRun('r1')
        expect(run?.params).toEqual({
          token: '***',
          nested: [{ url: 'postgres://app:***@db:5432/x' }],
        })
        expect(run?.error?.message).toBe('bad ***')
        const rows: unknown[] = []
        for (const t of TABLES) rows.push(await h.raw(`SELECT * FROM ${t}`))
        const dump = JSON.stringify(rows)
        expect(dump).toContain('E_AUTH')
        expect(dump).toContain('***')
        expect(dump).not.toContain(SECRET)
        expect(dump).not.toContain('pa55word')
      })
    })

    describe('check results', () => {
      it('are stored per run and listed newest first, per run or as one check over time', async () => {
        for (const [i, id] of ['a', 'b', 'c'].entries()) {
          await s.createRun(newRun(id, { at: at(i) }))
          await s.recordCheckResults([
            check(id, 'not_null(id)', i, at(10 + i)),
            { ...check(id, 'unique(id)', 0, at(10 + i)), severity: 'warn' },
          ])
        }
        const ofB = await s.listCheckResults({ runId: 'b' })
        expect(ofB.map((c) => [c.name, c.status, c.failing])).toEqual([
          ['not_null(id)', 'fail', 1],
          ['unique(id)', 'pass', 0],
        ])
        expect(ofB[0]).toMatchObject({
          pipeline: 'orders',
          taskId: 'clean',
          attempt: 1,
          type: 'not_null',
          severity: 'error',
          total: 100,
          message: '1 of 100 rows',
          sample: [{ id: null, n: '9007199254740993' }],
          at: at(11).toISOString(),
        })
        const history = await s.listCheckResults({ pipeline: 'orders', name: 'not_null(id)' })
        expect(history.map((c) => [c.runId, c.failing])).toEqual([
          ['c', 2],
          ['b', 1],
          ['a', 0],
        ])
        expect(await s.listCheckResults({ pipeline: 'orders', limit: 1 })).toHaveLength(1)
        expect(await s.listCheckResults({ pipeline: 'other' })).toEqual([])
        await s.recordCheckResults([])
      })
    })

    describe('prune', () => {
      it('deletes finished runs older than the date with everything they own', async () => {
        await s.createRun(newRun('old'))
        await s.transitionRun('old', 'QUEUED', 'RUNNING', at(1))
        await start('old', 'extract')
        await s.appendLog('old', 'extract', 0, 'stdout', 'x')
        await s.saveCheckpoint('old', 'extract', 'k', 1)
        await s.transitionTask('old', 'extract', 'RUNNING', 'FAILED', { at: at(3) })
        await s.transitionRun('old', 'RUNNING', 'FAILED', at(4))
        await s.createRun(newRun('recent'))
        await s.transitionRun('recent', 'QUEUED', 'RUNNING', at(1))
        await s.transitionRun('recent', 'RUNNING', 'SUCCESS', at(1000))
        await s.createRun(newRun('running'))
        await s.transitionRun('running', 'QUEUED', 'RUNNING', at(1))
        await s.setWatermark('orders', 'k', 1)
        await s.recordCheckResults([check('old', 'not_null(id)', 0, at(3))])
        await s.recordCheckResults([check('recent', 'not_null(id)', 0, at(900))])

        const result = await s.prune(at(500))
        expect(result).toEqual({
          runs: 1,
          tasks: 2,
          attempts: 2,
          logs: 1,
          checkpoints: 1,
          // created, QUEUED→RUNNING, extract ×3, RUNNING→FAILED
          events: 6,
          checks: 1,
        })
        expect((await s.listCheckResults({})).map((c) => c.runId)).toEqual(['recent'])
        expect(await s.getRun('old')).toBeUndefined()
        expect(await s.listTasks('old')).toEqual([])
        expect(await s.readLogs('old')).toEqual([])
        expect(await s.listEvents('old')).toEqual([])
        expect((await s.listRuns()).map((r) => r.id).sort()).toEqual(['recent', 'running'])
        expect(await s.getWatermark('orders', 'k')).toBe(1)
        expect(await s.prune(at(500))).toMatchObject({ runs: 0 })
      })
    })

    describe('schedules, fires and trigger keys', () => {
      it("stores a run's backfill group and scheduled instant and filters by them", async () => {
        const due = new Date('2024-03-02T00:00:00.000Z')
        const a = await s.createRun(newRun('b1', { groupId: 'g1', scheduledFor: due, at: at(1) }))
        expect(a).toMatchObject({ groupId: 'g1', scheduledFor: '2024-03-02T00:00:00.000Z' })
        await s.createRun(newRun('b2', { groupId: 'g1', at: at(2) }))
        await s.createRun(newRun('b3', { groupId: 'g2', scheduledFor: due, at: at(3) }))
        const plain = await s.createRun(newRun('p1', { at: at(4) }))
        expect(plain).toMatchObject({ groupId: null, scheduledFor: null })
        expect((await s.listRuns({ groupId: 'g1' })).map((r) => r.id)).toEqual(['b2', 'b1'])
        expect((await s.listRuns({ groupId: 'nope' })).map((r) => r.id)).toEqual([])
        expect((await s.listRuns({ scheduledFor: due })).map((r) => r.id)).toEqual(['b3', 'b1'])
        expect((await s.listRuns({ groupId: 'g2', scheduledFor: due })).map((r) => r.id)).toEqual([
          'b3',
        ])
      })

      it('claims a fire exactly once per (pipeline, due instant)', async () => {
        const due = new Date('2024-03-01T02:00:00.000Z')
        expect(await s.claimFire('orders', due, 'claimed', at(1))).toBe(true)
        expect(await s.claimFire('orders', due, 'claimed', at(2))).toBe(false)
        expect(await s.claimFire('orders', due, 'skipped', at(2))).toBe(false)
        expect(await s.claimFire('other', due, 'claimed', at(2))).toBe(true)
        expect(await s.claimFire('orders', at(60), 'skipped', at(3))).toBe(true)
        expect(await s.listFires('orders')).toEqual([
          {
            pipeline: 'orders',
            dueAt: at(60).toISOString(),
            runId: null,
            outcome: 'skipped',
            at: at(3).toISOString(),
          },
          {
            pipeline: 'orders',
            dueAt: due.toISOString(),
            runId: null,
            outcome: 'claimed',
            at: at(1).toISOString(),
          },
        ])
      })

      it('concurrent claims from two stores: exactly one wins each fire', async () => {
        const other = await h.reopen()
        extra.push(other)
        const dues = [0, 1, 2, 3, 4].map((i) => new Date(T0.getTime() + i * 60_000))
        const results = await Promise.all(
          dues.flatMap((d) => [
            s.claimFire('orders', d, 'claimed', T0),
            other.claimFire('orders', d, 'claimed', T0),
          ]),
        )
        expect(results.filter(Boolean)).toHaveLength(5)
        for (let i = 0; i < 5; i++) expect(results[2 * i]).not.toBe(results[2 * i + 1])
        expect(await s.listFires('orders')).toHaveLength(5)
      })

      it('settles a fire by compare-and-set and counts outcomes', async () => {
        const d1 = at(60)
        const d2 = at(120)
        await s.claimFire('orders', d1, 'claimed', at(1))
        await s.claimFire('orders', d2, 'queued', at(2))
        expect(await s.settleFire('orders', d1, 'claimed', 'started', at(3), 'r1')).toBe(true)
        // stale from: nothing changes
        expect(await s.settleFire('orders', d1, 'claimed', 'skipped', at(4))).toBe(false)
        expect(await s.settleFire('orders', at(999), 'claimed', 'started', at(4), 'x')).toBe(false)
        expect(await s.listFires('orders', { outcome: 'queued' })).toEqual([
          expect.objectContaining({ dueAt: d2.toISOString(), runId: null }),
        ])
        expect(await s.settleFire('orders', d2, 'queued', 'started', at(5), 'r2')).toBe(true)
        const fires = await s.listFires('orders', { oldestFirst: true })
        expect(fires.map((f) => [f.outcome, f.runId, f.at])).toEqual([
          ['started', 'r1', at(3).toISOString()],
          ['started', 'r2', at(5).toISOString()],
        ])
        expect((await s.listFires('orders', { limit: 1 })).map((f) => f.runId)).toEqual(['r2'])
        await s.claimFire('orders', at(180), 'skipped', at(6))
        expect(await s.countFires('orders')).toEqual({ started: 2, skipped: 1 })
        expect(await s.countFires('nothing')).toEqual({})
        expect(await s.listFires('nothing')).toEqual([])
      })

      it('pauses with a reason and resumes, with audit events', async () => {
        expect(await s.getSchedule('orders')).toBeUndefined()
        expect(await s.listSchedules()).toEqual([])
        const paused = await s.setSchedulePaused('orders', true, {
          reason: `source down, token ${SECRET}`,
          actor: 'cli:alice',
          at: at(1),
        })
        expect(paused).toEqual({
          pipeline: 'orders',
          paused: true,
          reason: expect.not.stringContaining(SECRET) as unknown,
          updatedAt: at(1).toISOString(),
          updatedBy: 'cli:alice',
        })
        expect(paused.reason).toMatch(/^source down, token /)
        const resumed = await s.setSchedulePaused('orders', false, { actor: 'api', at: at(2) })
        expect(resumed).toMatchObject({
          paused: false,
          reason: paused.reason,
          updatedAt: at(2).toISOString(),
          updatedBy: 'api',
        })
        await s.setSchedulePaused('alpha', true, { reason: 'x', actor: 'api', at: at(3) })
        expect((await s.listSchedules()).map((r) => [r.pipeline, r.paused])).toEqual([
          ['alpha', true],
          ['orders', false],
        ])
        const events = await h.raw(
          "SELECT type, actor FROM events WHERE type LIKE 'schedule:%' ORDER BY id",
        )
        expect(events.map((e) => [e.type, e.actor])).toEqual([
          ['schedule:pause', 'cli:alice'],
          ['schedule:resume', 'api'],
          ['schedule:pause', 'api'],
        ])
      })

      it('dedupes trigger keys per pipeline and remembers their run', async () => {
        expect(await s.getTriggerRun('orders', 'f.csv:1:10')).toBeUndefined()
        expect(await s.claimTriggerKey('orders', 'f.csv:1:10', at(1))).toBe(true)
        expect(await s.claimTriggerKey('orders', 'f.csv:1:10', at(2))).toBe(false)
        expect(await s.claimTriggerKey('other', 'f.csv:1:10', at(2))).toBe(true)
        expect(await s.claimTriggerKey('orders', 'f.csv:2:10', at(2))).toBe(true)
        expect(await s.getTriggerRun('orders', 'f.csv:1:10')).toBeNull()
        await s.setTriggerRun('orders', 'f.csv:1:10', 'r9')
        expect(await s.getTriggerRun('orders', 'f.csv:1:10')).toBe('r9')
        expect(await codeOf(s.setTriggerRun('orders', 'never', 'r1'))).toBe('E_STATE_NOT_FOUND')
      })
    })

    describe('migrations', () => {
      it('are idempotent: opening the same database again keeps the data', async () => {
        await s.createRun(newRun('r1'))
        const again = await h.reopen()
        extra.push(again)
        expect((await again.getRun('r1'))?.state).toBe('QUEUED')
        const rows = await h.raw('SELECT version, name FROM schema_migrations ORDER BY version')
        expect(rows.map((r) => Number(r.version))).toEqual(
          rows.map((_, i) => i + 1), // 1..n, each once
        )
        expect(rows[0]?.name).toBe('initial')
      })

      it('refuse a schema newer than the code', async () => {
        await h.raw(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '2099-01-01')",
        )
        let error: unknown
        try {
          extra.push(await h.reopen())
        } catch (e) {
          error = e
        }
        expect(error).toBeInstanceOf(SluiceError)
        expect((error as SluiceError).code).toBe('E_STATE_SCHEMA_NEWER')
        expect((error as SluiceError).message).toContain('9999')
        expect((error as SluiceError).hint).toMatch(/upgrade sluice/)
      })
    })
  })
}
