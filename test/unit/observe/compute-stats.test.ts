import { describe, expect, it } from 'vitest'
import { computeStats, type RunHistory } from '../../../src/observe/compute-stats.js'

const run = (
  id: string,
  pipeline: string,
  state: string,
  start: string | null,
  end: string | null,
) => ({
  id,
  pipeline,
  state,
  createdAt: start ?? '2026-01-01T00:00:00.000Z',
  startedAt: start,
  finishedAt: end,
})
const attempt = (
  n: number,
  state: string,
  durationMs: number | null,
  rowsIn: number | null = null,
  rowsOut: number | null = null,
) => ({ attempt: n, state, durationMs, rowsIn, rowsOut, bytes: null })

describe('computeStats', () => {
  it('computes success rate, mean/p95 durations, rows and per-task figures by hand', () => {
    const history: RunHistory[] = [
      {
        run: run('r1', 'orders', 'SUCCESS', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:10.000Z'),
        tasks: [
          {
            runId: 'r1',
            taskId: 'extract',
            state: 'SUCCESS',
            attempts: [attempt(0, 'SUCCESS', 4000, 0, 100)],
          },
          {
            runId: 'r1',
            taskId: 'load',
            state: 'SUCCESS',
            attempts: [attempt(0, 'RETRYING', 1000), attempt(1, 'SUCCESS', 3000, 100, 100)],
          },
        ],
      },
      {
        run: run('r2', 'orders', 'FAILED', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:30.000Z'),
        tasks: [
          {
            runId: 'r2',
            taskId: 'extract',
            state: 'SUCCESS',
            attempts: [attempt(0, 'SUCCESS', 6000, 0, 50)],
          },
          { runId: 'r2', taskId: 'load', state: 'FAILED', attempts: [attempt(0, 'FAILED', 2000)] },
        ],
      },
      {
        run: run('r3', 'orders', 'SUCCESS', '2026-01-03T00:00:00.000Z', '2026-01-03T00:00:20.000Z'),
        tasks: [],
      },
      { run: run('r4', 'orders', 'RUNNING', '2026-01-04T00:00:00.000Z', null), tasks: [] },
      { run: run('b1', 'billing', 'QUEUED', null, null), tasks: [] },
    ]
    const [billing, orders] = computeStats(history)
    expect(billing).toMatchObject({
      pipeline: 'billing',
      runs: 1,
      active: 1,
      successRate: null,
      duration: { count: 0, meanMs: null, p95Ms: null },
      tasks: [],
    })
    expect(orders).toEqual({
      pipeline: 'orders',
      runs: 4,
      succeeded: 2,
      failed: 1,
      cancelled: 0,
      active: 1,
      successRate: 2 / 3,
      // durations 10 s, 30 s, 20 s: mean 20 s; nearest-rank p95 of 3 values is the 3rd
      duration: { count: 3, meanMs: 20_000, p95Ms: 30_000 },
      rowsIn: 100,
      rowsOut: 250,
      bytes: 0,
      lastRunAt: '2026-01-04T00:00:00.000Z',
      lastState: 'RUNNING',
      tasks: [
        {
          task: 'extract',
          attempts: 2,
          succeeded: 2,
          failed: 0,
          retries: 0,
          duration: { count: 2, meanMs: 5000, p95Ms: 6000 },
          rowsIn: 0,
          rowsOut: 150,
          bytes: 0,
        },
        {
          task: 'load',
          attempts: 3,
          succeeded: 1,
          failed: 1,
          retries: 1,
          duration: { count: 3, meanMs: 2000, p95Ms: 3000 },
          rowsIn: 100,
          rowsOut: 100,
          bytes: 0,
        },
      ],
    })
  })

  it('p95 over 20 values is the 19th; pending attempts do not count', () => {
    const attempts = Array.from({ length: 20 }, (_, i) => attempt(i, 'RETRYING', (i + 1) * 100))
    const [s] = computeStats([
      {
        run: run('r', 'p', 'CANCELLED', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z'),
        tasks: [
          {
            runId: 'r',
            taskId: 't',
            state: 'CANCELLED',
            attempts: [...attempts, attempt(20, 'PENDING', null)],
          },
        ],
      },
    ])
    expect(s!.successRate).toBe(0)
    expect(s!.cancelled).toBe(1)
    expect(s!.tasks[0]!.attempts).toBe(20)
    expect(s!.tasks[0]!.duration).toEqual({ count: 20, meanMs: 1050, p95Ms: 1900 })
  })

  it('no history, no stats', () => {
    expect(computeStats([])).toEqual([])
  })
})
