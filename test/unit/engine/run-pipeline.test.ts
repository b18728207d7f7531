import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { compilePipeline } from '../../../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../../../src/definition/load-pipeline.js'
import { SluiceError } from '../../../src/core/sluice-error.js'
import { ManualClock } from '../../../src/engine/manual-clock.js'
import { RunEvents } from '../../../src/engine/run-events.js'
import { runPipeline } from '../../../src/engine/run-pipeline.js'
import type { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'
import {
  autoAdvance,
  compileYaml,
  scriptedExecutor,
  tempStore,
  wait,
} from '../../helpers/engine-harness.js'

let store: SqliteStateStore
let cleanup: () => Promise<void>
beforeEach(async () => {
  ;({ store, cleanup } = await tempStore())
})
afterEach(async () => cleanup())

const fn = (id: string, deps: string[] = [], extra = '') =>
  `  ${id}: { type: function, module: x.ts${deps.length ? `, depends_on: [${deps.join(', ')}]` : ''}${extra} }\n`

describe('runPipeline', () => {
  it('run:start carries the due instant of a scheduled run, and nothing for a manual one', async () => {
    const p = compileYaml('name: tick\ntasks:\n  a: { type: noop }\n')
    const starts: { scheduledFor?: number }[] = []
    const events = new RunEvents().on('run:start', (e) => starts.push(e))
    const due = new Date('2026-11-22T06:00:00Z')
    await runPipeline(p, { store, runId: 'sched-1', events, scheduledFor: due })
    await runPipeline(p, { store, runId: 'manual-1', events })
    expect(starts.map((e) => e.scheduledFor)).toEqual([due.getTime(), undefined])
    expect((await store.getRun('sched-1'))?.scheduledFor).toBe(due.toISOString())
  })

  it('runs a diamond: outputs flow downstream, commands log, everything is recorded', async () => {
    const p = compileYaml(
      'name: diamond\ntasks:\n' +
        fn('a') +
        fn('b', ['a']) +
        '  c: { type: command, depends_on: [a], command: "echo hello from c; echo oops >&2" }\n' +
        '  d: { type: noop, depends_on: [b, c] }\n',
    )
    const order: string[] = []
    const events = new RunEvents().on(
      'task:state',
      (e) => e.to === 'SUCCESS' && order.push(e.taskId),
    )
    const ex = scriptedExecutor({
      a: () => ({ outputs: { n: 41 } }),
      b: (ctx) => ({ outputs: { n: (ctx.upstream.a as { n: number }).n + 1 } }),
    })
    const r = await runPipeline(p, { store, runId: 'run-1', executors: { function: ex }, events })
    expect(r.state).toBe('SUCCESS')
    expect(r.tasks.b!.outputs).toEqual({ n: 42 })
    expect(order[0]).toBe('a')
    expect(order[3]).toBe('d')
    const tasks = await store.listTasks('run-1')
    expect(tasks.map((t) => t.state)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS'])
    const logs = await store.readLogs('run-1', 'c')
    expect(logs.map((l) => [l.stream, l.text])).toEqual(
      expect.arrayContaining([
        ['stdout', 'hello from c'],
        ['stderr', 'oops'],
      ]),
    )
    expect((await store.getRun('run-1'))!.state).toBe('SUCCESS')
  })

  it('retries with exponential backoff and full jitter, then succeeds', async () => {
    const p = compileYaml(
      'name: r\ntasks:\n' +
        fn('a', [], ', retries: { max_attempts: 4, initial_delay: 1s, max_delay: 3s }'),
    )
    let n = 0
    const ex = scriptedExecutor({
      a: () => {
        if (++n < 4) throw new Error(`flaky ${n}`)
      },
    })
    const clock = new ManualClock(1_000_000)
    const stop = autoAdvance(clock)
    const r = await runPipeline(p, {
      store,
      runId: 'run-1',
      executors: { function: ex },
      clock,
      random: () => 0.5,
    })
    stop()
    expect(r.state).toBe('SUCCESS')
    expect(ex.calls.a).toBe(4)
    // min(3s, 1s × 2^(n−1)) × 0.5 for failures 1, 2, 3
    expect(clock.sleeps).toEqual([500, 1000, 1500])
    const retries = (await store.listEvents('run-1')).filter((e) => e.type === 'task:retry')
    expect(retries.map((e) => e.data.delayMs)).toEqual([500, 1000, 1500]) // the same events, stored
    const [task] = await store.listTasks('run-1')
    expect(task!.attempts.map((a) => a.state)).toEqual([
      'RETRYING',
      'RETRYING',
      'RETRYING',
      'SUCCESS',
    ])
    expect(task!.attempts[0]!.error).toMatchObject({
      code: 'E_TASK_FAILED',
      message: 'flaky 1',
      retryable: true,
    })
  })

  it('honours Retry-After as a floor on the delay', async () => {
    const p = compileYaml('name: r\ntasks:\n' + fn('a', [], ', retries: 2'))
    let n = 0
    const ex = scriptedExecutor({
      a: () => {
        if (++n === 1)
          throw new SluiceError('E_NETWORK', 'HTTP 429', { retryable: true, retryAfterMs: 7000 })
      },
    })
    const clock = new ManualClock()
    const stop = autoAdvance(clock)
    const r = await runPipeline(p, {
      store,
      runId: 'run-1',
      executors: { function: ex },
      clock,
      random: () => 0.1,
    })
    stop()
    expect(r.state).toBe('SUCCESS')
    expect(clock.sleeps).toEqual([7000])
  })

  it('fails a non-retryable error at once and lists it as a dead letter', async () => {
    const p = compileYaml('name: r\ntasks:\n' + fn('a', [], ', retries: 5') + fn('b', ['a']))
    const ex = scriptedExecutor({
      a: () => {
        throw new SluiceError('E_TASK_FAILED', 'bad credentials', { retryable: false })
      },
    })
    const r = await runPipeline(p, { store, runId: 'run-1', executors: { function: ex } })
    expect(r.state).toBe('FAILED')
    expect(ex.calls.a).toBe(1)
    expect(r.tasks.b!.state).toBe('SKIPPED')
    const dlq = await store.listDeadLetters()
    expect(dlq).toHaveLength(1)
    expect(dlq[0]).toMatchObject({
      runId: 'run-1',
      taskId: 'a',
      error: { code: 'E_TASK_FAILED', message: 'bad credentials' },
    })
    expect((await store.getRun('run-1'))!.error).toMatchObject({ code: 'E_TASK_FAILED' })
  })

  it('keeps independent branches going, skips or runs dependents per on_upstream_failure', async () => {
    const p = compileYaml(
      'name: r\ntasks:\n' +
        fn('bad', [], ', retries: 1') +
        fn('skipme', ['bad']) +
        fn('runme', ['bad'], ', on_upstream_failure: run') +
        fn('other'),
    )
    const ex = scriptedExecutor({
      bad: () => {
        throw new Error('boom')
      },
    })
    const r = await runPipeline(p, { store, runId: 'run-1', executors: { function: ex } })
    expect(r.state).toBe('FAILED')
    expect(Object.fromEntries(Object.entries(r.tasks).map(([k, v]) => [k, v.state]))).toEqual({
      bad: 'FAILED',
      skipme: 'SKIPPED',
      runme: 'SUCCESS',
      other: 'SUCCESS',
    })
  })

  it('fail_fast stops starting tasks after the first failure', async () => {
    const p = compileYaml(
      'name: r\nfail_fast: true\ntasks:\n' +
        fn('bad', [], ', retries: 1, priority: 10') +
        fn('later'),
    )
    const ex = scriptedExecutor({
      bad: () => {
        throw new Error('boom')
      },
    })
    const r = await runPipeline(p, {
      store,
      runId: 'run-1',
      executors: { function: ex },
      concurrency: 1,
    })
    expect(r.state).toBe('FAILED')
    expect(r.tasks.later!.state).toBe('CANCELLED')
    expect(ex.calls.later).toBeUndefined()
  })

  it('times out an attempt through its AbortSignal', async () => {
    const p = compileYaml('name: r\ntasks:\n' + fn('slow', [], ', timeout: 100ms, retries: 1'))
    const ex = scriptedExecutor({
      slow: (ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)),
        ),
    })
    const r = await runPipeline(p, { store, runId: 'run-1', executors: { function: ex } })
    expect(r.tasks.slow).toMatchObject({ state: 'FAILED', error: { code: 'E_TASK_TIMEOUT' } })
  })

  it('cancels through the signal: no new task starts, running ones stop, nothing stays RUNNING', async () => {
    const p = compileYaml('name: r\ntasks:\n' + fn('a') + fn('b') + fn('c', ['a', 'b']))
    const ctl = new AbortController()
    const ex = scriptedExecutor({
      a: (ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))),
        ),
      b: (ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))),
        ),
    })
    setTimeout(() => ctl.abort(), 50)
    const r = await runPipeline(p, {
      store,
      runId: 'run-1',
      executors: { function: ex },
      signal: ctl.signal,
    })
    expect(r.state).toBe('CANCELLED')
    const states = (await store.listTasks('run-1')).map((t) => t.state)
    expect(states).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED'])
    expect(ex.calls.c).toBeUndefined()
    expect((await store.getRun('run-1'))!.state).toBe('CANCELLED')
  })

  it('records a task that ignores the abort as CANCELLED after the grace period', async () => {
    const p = compileYaml('name: r\ntasks:\n' + fn('stubborn'))
    const ctl = new AbortController()
    const ex = scriptedExecutor({ stubborn: () => wait(2000) })
    setTimeout(() => ctl.abort(), 30)
    const t0 = Date.now()
    const r = await runPipeline(p, {
      store,
      runId: 'run-1',
      executors: { function: ex },
      signal: ctl.signal,
      graceMs: 100,
    })
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(r.state).toBe('CANCELLED')
    expect((await store.listTasks('run-1'))[0]!.state).toBe('CANCELLED')
  })

  it('cancels when another process asks through the store', async () => {
    const p = compileYaml('name: r\ntasks:\n' + fn('a'))
    const ex = scriptedExecutor({
      a: (ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))),
        ),
    })
    setTimeout(() => void store.requestCancel('run-1', new Date(), 'cli:test'), 50)
    const r = await runPipeline(p, {
      store,
      runId: 'run-1',
      executors: { function: ex },
      heartbeatMs: 20,
    })
    expect(r.state).toBe('CANCELLED')
    expect(
      (await store.listEvents('run-1')).some(
        (e) => e.type === 'run:cancel' && e.actor === 'cli:test',
      ),
    ).toBe(true)
  })

  it('lets a retried task continue from its checkpoint', async () => {
    const p = compileYaml(
      'name: r\ntasks:\n' + fn('pages', [], ', retries: { max_attempts: 2, initial_delay: 0s }'),
    )
    const seen: number[] = []
    const ex = scriptedExecutor({
      pages: async (ctx) => {
        let page = (await ctx.checkpoint.load<number>('page')) ?? 0
        for (; page < 5; page++) {
          if (page === 3 && ctx.attempt === 0) throw new Error('connection reset')
          seen.push(page)
          await ctx.checkpoint.save('page', page + 1)
        }
      },
    })
    const r = await runPipeline(p, { store, runId: 'run-1', executors: { function: ex } })
    expect(r.state).toBe('SUCCESS')
    expect(seen).toEqual([0, 1, 2, 3, 4])
    expect(await store.loadCheckpoint('run-1', 'pages', 'page')).toBeUndefined() // cleared on success
  })

  it('resume re-runs only what did not succeed and reuses outputs', async () => {
    const text =
      'name: r\ntasks:\n' +
      fn('a') +
      fn('b', ['a'], ', retries: 1') +
      fn('c', ['b']) +
      fn('d', ['a'])
    let broken = true
    const ex = scriptedExecutor({
      a: () => ({ outputs: 'A' }),
      b: (ctx) => {
        if (broken) throw new Error('down')
        return { outputs: `${ctx.upstream.a as string}B` }
      },
      c: (ctx) => ({ outputs: `${ctx.upstream.b as string}C` }),
    })
    const first = await runPipeline(compileYaml(text), {
      store,
      runId: 'run-1',
      executors: { function: ex },
    })
    expect(first.state).toBe('FAILED')
    broken = false
    const second = await runPipeline(compileYaml(text), {
      store,
      runId: 'run-1',
      resume: true,
      executors: { function: ex },
    })
    expect(second.state).toBe('SUCCESS')
    expect(ex.calls).toEqual({ a: 1, b: 2, c: 1, d: 1 })
    expect(second.tasks.c!.outputs).toBe('ABC')
    const b = (await store.listTasks('run-1')).find((t) => t.taskId === 'b')!
    expect(b.attempts.map((x) => x.state)).toEqual(['FAILED', 'SUCCESS'])
  })

  it('respects pools and priorities', async () => {
    const p = compileYaml(
      'name: r\npools: { one: 1 }\ntasks:\n' +
        ['p1', 'p2', 'p3'].map((id) => fn(id, [], ', pool: one')).join('') +
        fn('low', [], ', priority: -5') +
        fn('high', [], ', priority: 5'),
    )
    let inPool = 0
    let maxInPool = 0
    const started: string[] = []
    const poolTask = async () => {
      maxInPool = Math.max(maxInPool, ++inPool)
      await wait(10)
      inPool--
    }
    const ex = scriptedExecutor({ p1: poolTask, p2: poolTask, p3: poolTask })
    const events = new RunEvents().on(
      'task:state',
      (e) => e.to === 'RUNNING' && started.push(e.taskId),
    )
    const r = await runPipeline(p, {
      store,
      runId: 'run-1',
      executors: { function: ex },
      concurrency: 4,
      events,
    })
    expect(r.state).toBe('SUCCESS')
    expect(maxInPool).toBe(1)
    expect(started[0]).toBe('high')
    expect(started.indexOf('low')).toBeGreaterThan(started.indexOf('high'))
  })

  it('runs commands with env and cwd, and masks secrets in logs, errors and dead letters', async () => {
    const base = join(tmpdir(), `sluice-cwd-${Date.now()}`)
    await mkdir(join(base, 'sub'), { recursive: true })
    const text =
      'name: env\ntasks:\n' +
      '  show: { type: command, command: "echo $GREETING from $(basename $(pwd)) token=${env:API_TOKEN}", env: { GREETING: hi }, cwd: sub }\n' +
      '  leak: { type: command, command: "echo failing with ${env:API_TOKEN} >&2; exit 1", retries: 1 }\n'
    const loaded = loadPipelineText(text, {
      env: { API_TOKEN: 'tok-s3cr3t-123' },
      run: { runId: 'run-1' },
      displayName: join(base, 'p.yaml'),
    })
    const r = await runPipeline(compilePipeline(loaded), { store, runId: 'run-1' })
    expect(r.tasks.show!.state).toBe('SUCCESS')
    expect(r.tasks.leak!.state).toBe('FAILED')
    const logs = (await store.readLogs('run-1')).map((l) => l.text)
    expect(logs).toContain('hi from sub token=***')
    expect(logs).toContain('failing with ***')
    const everything = JSON.stringify([
      await store.listTasks('run-1'),
      await store.listDeadLetters(),
      await store.listEvents('run-1'),
      logs,
      r,
    ])
    expect(everything).not.toContain('tok-s3cr3t-123')
    expect(r.tasks.leak!.error!.message).toContain('failing with ***')
  })

  it('a task type without an executor fails clearly instead of hanging', async () => {
    const p = compileYaml('name: r\ntasks:\n  e: { type: extract, source: { path: x.csv } }\n')
    const r = await runPipeline(p, { store, runId: 'run-1' })
    expect(r.tasks.e).toMatchObject({ state: 'FAILED', error: { code: 'E_EXECUTOR_MISSING' } })
  })
})
