import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** Circuit-breaker states as the gauge encodes them: closed 0, half_open 1, open 2. */
export const BREAKER_STATES = { closed: 0, half_open: 1, open: 2 } as const
export type BreakerState = keyof typeof BREAKER_STATES

export interface RunMetricsOptions {
  /** Distinct `task` label values kept per pipeline; later ones are counted as `_other`. Default 100. */
  readonly maxTasksPerPipeline?: number
  /** Distinct `pipeline` (and `connection`) label values; later ones become `_other`. Default 200. */
  readonly maxPipelines?: number
  /** Task duration buckets in seconds. */
  readonly durationBuckets?: readonly number[]
}

export interface AttemptEnd {
  readonly pipeline: string
  readonly task: string
  /** The attempt's end state: SUCCESS, FAILED, RETRYING, CANCELLED. */
  readonly state: string
  readonly durationMs?: number | null
  readonly rowsIn?: number | null
  readonly rowsOut?: number | null
  readonly bytes?: number | null
  /** The attempt failed and another will follow. */
  readonly retry?: boolean
}

/** The metrics object the engine, scheduler and server feed; read with `registry.metrics()`. */
export interface RunMetrics {
  /** A run moved `from` → `to` (from omitted when it is new). */
  onRunState(e: { pipeline: string; from?: string; to: string }): void
  /** A task moved `from` → `to`. */
  onTaskState(e: { pipeline: string; task: string; from?: string; to: string }): void
  /** An attempt ended: duration histogram, rows, bytes, retries. */
  onAttemptEnd(e: AttemptEnd): void
  setBreaker(connection: string, state: BreakerState): void
  setDlqSize(size: number): void
  /** A scheduled run started `lagMs` after its due time. */
  observeScheduleLag(pipeline: string, lagMs: number): void
  setQueueDepth(depth: number, queue?: string): void
}

const OTHER = '_other'
const TERMINAL: ReadonlySet<string> = new Set(['SUCCESS', 'FAILED', 'SKIPPED', 'CANCELLED'])

/**
 * Registers sluice's Prometheus metrics (`sluice_*`) on `registry` (a custom one, never the
 * global default) and returns the calls that update them. Label cardinality is bounded: `state`
 * takes the fixed state names, `pipeline` and `task` keep their first N values and fold the rest
 * into `_other`, so a pipeline with generated task ids cannot blow up the series count.
 */
export function createRunMetrics(registry: Registry, options: RunMetricsOptions = {}): RunMetrics {
  const maxTasks = options.maxTasksPerPipeline ?? 100
  const maxPipelines = options.maxPipelines ?? 200
  const registers = [registry]
  const runsTotal = new Counter({
    name: 'sluice_runs_total',
    help: 'Runs that entered each state, by pipeline.',
    labelNames: ['pipeline', 'state'],
    registers,
  })
  const runsCurrent = new Gauge({
    name: 'sluice_runs',
    help: 'Runs currently queued or running, by pipeline.',
    labelNames: ['pipeline', 'state'],
    registers,
  })
  const tasksTotal = new Counter({
    name: 'sluice_tasks_total',
    help: 'Tasks that entered each state, by pipeline and task.',
    labelNames: ['pipeline', 'task', 'state'],
    registers,
  })
  const tasksCurrent = new Gauge({
    name: 'sluice_tasks',
    help: 'Tasks currently in each non-terminal state, by pipeline.',
    labelNames: ['pipeline', 'state'],
    registers,
  })
  const duration = new Histogram({
    name: 'sluice_task_duration_seconds',
    help: 'Duration of task attempts, by pipeline, task and end state.',
    labelNames: ['pipeline', 'task', 'state'],
    buckets: [...(options.durationBuckets ?? [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600])],
    registers,
  })
  const rowsRead = new Counter({
    name: 'sluice_rows_read_total',
    help: 'Rows read by task attempts.',
    labelNames: ['pipeline', 'task'],
    registers,
  })
  const rowsWritten = new Counter({
    name: 'sluice_rows_written_total',
    help: 'Rows written by task attempts.',
    labelNames: ['pipeline', 'task'],
    registers,
  })
  const bytes = new Counter({
    name: 'sluice_bytes_processed_total',
    help: 'Bytes processed by task attempts.',
    labelNames: ['pipeline', 'task'],
    registers,
  })
  const retries = new Counter({
    name: 'sluice_task_retries_total',
    help: 'Task attempts that failed and were retried.',
    labelNames: ['pipeline', 'task'],
    registers,
  })
  const breaker = new Gauge({
    name: 'sluice_circuit_breaker_state',
    help: 'Circuit breaker per connection: 0 closed, 1 half-open, 2 open.',
    labelNames: ['connection'],
    registers,
  })
  const dlq = new Gauge({
    name: 'sluice_dlq_size',
    help: 'Dead letters waiting (not requeued).',
    registers,
  })
  const lag = new Histogram({
    name: 'sluice_schedule_lag_seconds',
    help: 'How late scheduled runs started: start time minus due time.',
    labelNames: ['pipeline'],
    buckets: [0.1, 1, 5, 15, 60, 300, 900, 3600],
    registers,
  })
  const queue = new Gauge({
    name: 'sluice_queue_depth',
    help: 'Tasks or runs waiting to start.',
    labelNames: ['queue'],
    registers,
  })

  const pipelines = new Set<string>()
  const connections = new Set<string>()
  const tasks = new Map<string, Set<string>>()
  const bounded = (seen: Set<string>, value: string, max: number): string => {
    if (seen.has(value)) return value
    if (seen.size >= max) return OTHER
    seen.add(value)
    return value
  }
  const p = (name: string) => bounded(pipelines, name, maxPipelines)
  const t = (pipeline: string, task: string) => {
    let seen = tasks.get(pipeline)
    if (!seen) tasks.set(pipeline, (seen = new Set()))
    return bounded(seen, task, maxTasks)
  }
  return {
    onRunState({ pipeline, from, to }) {
      const pl = p(pipeline)
      runsTotal.inc({ pipeline: pl, state: to })
      if (from !== undefined && !TERMINAL.has(from)) runsCurrent.dec({ pipeline: pl, state: from })
      if (!TERMINAL.has(to)) runsCurrent.inc({ pipeline: pl, state: to })
    },
    onTaskState({ pipeline, task, from, to }) {
      const pl = p(pipeline)
      tasksTotal.inc({ pipeline: pl, task: t(pl, task), state: to })
      if (from !== undefined && !TERMINAL.has(from)) tasksCurrent.dec({ pipeline: pl, state: from })
      if (!TERMINAL.has(to)) tasksCurrent.inc({ pipeline: pl, state: to })
    },
    onAttemptEnd(e) {
      const pl = p(e.pipeline)
      const labels = { pipeline: pl, task: t(pl, e.task) }
      if (typeof e.durationMs === 'number' && e.durationMs >= 0)
        duration.observe({ ...labels, state: e.state }, e.durationMs / 1000)
      if (e.rowsIn) rowsRead.inc(labels, e.rowsIn)
      if (e.rowsOut) rowsWritten.inc(labels, e.rowsOut)
      if (e.bytes) bytes.inc(labels, e.bytes)
      if (e.retry === true) retries.inc(labels)
    },
    setBreaker(connection, state) {
      breaker.set(
        { connection: bounded(connections, connection, maxPipelines) },
        BREAKER_STATES[state],
      )
    },
    setDlqSize(size) {
      dlq.set(size)
    },
    observeScheduleLag(pipeline, lagMs) {
      lag.observe({ pipeline: p(pipeline) }, Math.max(0, lagMs) / 1000)
    },
    setQueueDepth(depth, name = 'tasks') {
      queue.set({ queue: name }, depth)
    },
  }
}
