import { Registry, register as globalRegistry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createRunMetrics } from '../../../src/observe/run-metrics.js'

describe('createRunMetrics', () => {
  it('exposes runs, tasks, durations, rows, bytes, retries, breaker, DLQ, lag and queue depth', async () => {
    const registry = new Registry()
    const m = createRunMetrics(registry)
    m.onRunState({ pipeline: 'orders', to: 'QUEUED' })
    m.onRunState({ pipeline: 'orders', from: 'QUEUED', to: 'RUNNING' })
    m.onTaskState({ pipeline: 'orders', task: 'load', from: 'QUEUED', to: 'RUNNING' })
    m.onAttemptEnd({
      pipeline: 'orders',
      task: 'load',
      state: 'RETRYING',
      durationMs: 200,
      retry: true,
    })
    m.onAttemptEnd({
      pipeline: 'orders',
      task: 'load',
      state: 'SUCCESS',
      durationMs: 2500,
      rowsIn: 10,
      rowsOut: 7,
      bytes: 4096,
    })
    m.onTaskState({ pipeline: 'orders', task: 'load', from: 'RUNNING', to: 'SUCCESS' })
    m.onRunState({ pipeline: 'orders', from: 'RUNNING', to: 'FAILED' })
    m.setBreaker('warehouse', 'open')
    m.setDlqSize(4)
    m.observeScheduleLag('orders', 12_000)
    m.setQueueDepth(3)
    const text = await registry.metrics()
    const lines = text.split('\n')
    const has = (line: string) => expect(lines).toContain(line)
    has('sluice_runs_total{pipeline="orders",state="QUEUED"} 1')
    has('sluice_runs_total{pipeline="orders",state="FAILED"} 1')
    has('sluice_runs{pipeline="orders",state="RUNNING"} 0')
    has('sluice_runs{pipeline="orders",state="QUEUED"} 0')
    has('sluice_tasks_total{pipeline="orders",task="load",state="SUCCESS"} 1')
    has('sluice_tasks{pipeline="orders",state="RUNNING"} 0')
    has(
      'sluice_task_duration_seconds_bucket{le="0.5",pipeline="orders",task="load",state="RETRYING"} 1',
    )
    has(
      'sluice_task_duration_seconds_bucket{le="1",pipeline="orders",task="load",state="SUCCESS"} 0',
    )
    has(
      'sluice_task_duration_seconds_bucket{le="5",pipeline="orders",task="load",state="SUCCESS"} 1',
    )
    has('sluice_task_duration_seconds_sum{pipeline="orders",task="load",state="SUCCESS"} 2.5')
    has('sluice_rows_read_total{pipeline="orders",task="load"} 10')
    has('sluice_rows_written_total{pipeline="orders",task="load"} 7')
    has('sluice_bytes_processed_total{pipeline="orders",task="load"} 4096')
    has('sluice_task_retries_total{pipeline="orders",task="load"} 1')
    has('sluice_circuit_breaker_state{connection="warehouse"} 2')
    has('sluice_dlq_size 4')
    has('sluice_schedule_lag_seconds_sum{pipeline="orders"} 12')
    has('sluice_schedule_lag_seconds_bucket{le="5",pipeline="orders"} 0')
    has('sluice_schedule_lag_seconds_bucket{le="15",pipeline="orders"} 1')
    has('sluice_queue_depth{queue="tasks"} 3')
    // never the global registry
    expect(await globalRegistry.metrics()).not.toContain('sluice_')
  })

  it('bounds label cardinality: extra task ids and pipelines fold into _other', async () => {
    const registry = new Registry()
    const m = createRunMetrics(registry, { maxTasksPerPipeline: 2, maxPipelines: 1 })
    for (const task of ['a', 'b', 'c', 'd']) m.onTaskState({ pipeline: 'p', task, to: 'SUCCESS' })
    m.onRunState({ pipeline: 'q', to: 'SUCCESS' })
    const text = await registry.metrics()
    expect(text).toContain('sluice_tasks_total{pipeline="p",task="a",state="SUCCESS"} 1')
    expect(text).toContain('sluice_tasks_total{pipeline="p",task="b",state="SUCCESS"} 1')
    expect(text).toContain('sluice_tasks_total{pipeline="p",task="_other",state="SUCCESS"} 2')
    expect(text).not.toContain('task="c"')
    expect(text).toContain('sluice_runs_total{pipeline="_other",state="SUCCESS"} 1')
  })

  it('two metric sets cannot share a registry (names are registered once)', () => {
    const registry = new Registry()
    createRunMetrics(registry)
    expect(() => createRunMetrics(registry)).toThrow(/already been registered/)
  })
})
