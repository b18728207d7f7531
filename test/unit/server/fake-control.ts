import type { PipelineSpec } from '../../../src/core/spec/pipeline-spec.js'
import { SluiceError } from '../../../src/core/sluice-error.js'
import type {
  AlertInfo,
  BackfillInfo,
  LineageDirection,
  LineageGraph,
  LineageQuery,
  PipelineInfo,
  ScheduleInfo,
  ServiceControl,
} from '../../../src/server/service-control.js'
import type { JsonObject } from '../../../src/state/records.js'

/** One call the API made on the service. */
export interface Call {
  readonly method: string
  readonly args: readonly unknown[]
}

const ordersSpec = {
  name: 'orders',
  description: 'Orders into the warehouse',
  params: { day: { type: 'date' } },
  connections: {
    src: 'postgres://etl:s3cret-pass@db.internal:5432/shop?sslmode=require&password=qpw',
    warehouse: { url: 'mysql://loader:hunter2@wh:3306/dw', pool: 4, token: 'tok-123' },
    local: 'sqlite:data/local.db',
  },
  tasks: {
    extract: { type: 'extract', source: { connection: 'src', table: 'orders' } },
    load: {
      type: 'load',
      depends_on: ['extract'],
      destination: { connection: 'warehouse', table: 'dw.orders', mode: 'append' },
    },
  },
} as unknown as PipelineSpec

export const ORDERS: PipelineInfo = {
  name: 'orders',
  file: '/srv/pipelines/orders.yaml',
  hash: 'h-orders-1',
  description: 'Orders into the warehouse',
  schedule: {
    cron: '0 2 * * *',
    timezone: 'UTC',
    paused: false,
    nextRunAt: '2026-01-02T02:00:00.000Z',
  },
  spec: ordersSpec,
  graph: {
    pipeline: 'orders',
    nodes: [
      { id: 'extract', type: 'extract', level: 0, critical: true },
      { id: 'load', type: 'load', level: 1, critical: true },
    ],
    edges: [{ from: 'extract', to: 'load' }],
  },
}

export const HELLO: PipelineInfo = {
  name: 'hello',
  file: '/srv/pipelines/hello.yaml',
  hash: 'h-hello-1',
  schedule: null,
  spec: { name: 'hello', tasks: { say: { type: 'noop' } } } as unknown as PipelineSpec,
  graph: { pipeline: 'hello', nodes: [{ id: 'say', type: 'noop', level: 0 }], edges: [] },
}

export const ORDERS_SCHEDULE: ScheduleInfo = {
  pipeline: 'orders',
  cron: '0 2 * * *',
  timezone: 'UTC',
  paused: false,
  nextRunAt: '2026-01-02T02:00:00.000Z',
  overlap: 'skip',
  catchup: false,
  pausedReason: null,
  lastRunAt: null,
  lastRunId: null,
  updatedAt: null,
}

/**
 * A ServiceControl that records every call and answers from fixed data; `fail` makes one method
 * throw a plain Error (an unexpected bug) to test the 500 path.
 */
export function fakeControl(
  opts: { backfills?: BackfillInfo[]; alerts?: AlertInfo[]; fail?: keyof ServiceControl } = {},
): ServiceControl & { calls: Call[] } {
  const calls: Call[] = []
  const rec = (method: keyof ServiceControl, ...args: unknown[]) => {
    calls.push({ method, args })
    if (opts.fail === method) throw new Error('boom at /home/secret/stack.ts:12')
  }
  let nextRun = 1
  return {
    calls,
    pipelines() {
      rec('pipelines')
      return [HELLO, ORDERS]
    },
    trigger(pipeline: string, params: JsonObject, o: { dedupeKey?: string; actor: string }) {
      rec('trigger', pipeline, params, o)
      for (const k of Object.keys(params)) {
        if (k !== 'day') {
          return Promise.reject(
            new SluiceError('E_PARAM_UNDECLARED', `pipeline ${pipeline} declares no param "${k}"`, {
              hint: 'declared: day',
            }),
          )
        }
      }
      if (o.dedupeKey === 'dup')
        return Promise.resolve({ runId: 'run-existing', deduplicated: true })
      return Promise.resolve({ runId: `run-new-${nextRun++}`, deduplicated: false })
    },
    cancel(runId: string, actor: string) {
      rec('cancel', runId, actor)
      return Promise.resolve()
    },
    resume(runId: string, actor: string) {
      rec('resume', runId, actor)
      return Promise.resolve({ tasks: ['load'] })
    },
    schedules() {
      rec('schedules')
      return [ORDERS_SCHEDULE]
    },
    pauseSchedule(pipeline: string, reason: string, actor: string) {
      rec('pauseSchedule', pipeline, reason, actor)
      return Promise.resolve({
        ...ORDERS_SCHEDULE,
        paused: true,
        pausedReason: reason,
        nextRunAt: null,
      })
    },
    resumeSchedule(pipeline: string, actor: string) {
      rec('resumeSchedule', pipeline, actor)
      if (pipeline !== 'orders')
        return Promise.reject(new SluiceError('E_STATE_NOT_FOUND', `${pipeline} has no schedule`))
      return Promise.resolve(ORDERS_SCHEDULE)
    },
    backfill(pipeline: string, request: unknown, actor: string) {
      rec('backfill', pipeline, request, actor)
      return Promise.resolve({ groupId: 'bf-1', runs: ['bf-run-1', 'bf-run-2'] })
    },
    backfills() {
      rec('backfills')
      return opts.backfills ?? []
    },
    lineage(query: LineageQuery, direction: LineageDirection): Promise<LineageGraph> {
      rec('lineage', query, direction)
      if ('dataset' in query && query.dataset === 'nope')
        return Promise.reject(new SluiceError('E_STATE_NOT_FOUND', 'no dataset "nope" in lineage'))
      return Promise.resolve({
        nodes: [
          { id: 'task:orders.extract', kind: 'task', name: 'extract', pipeline: 'orders' },
          { id: 'dataset:dw.orders', kind: 'dataset', name: 'dw.orders' },
        ],
        edges: [{ from: 'task:orders.extract', to: 'dataset:dw.orders' }],
      })
    },
    rejects(runId, taskId, limit) {
      rec('rejects', runId, taskId, limit)
      return Promise.resolve({
        rejects: [{ file: 'dirty.csv', line: 5, reason: 'not a number', raw: 'x,1' }].slice(
          0,
          limit,
        ),
        total: 1,
      })
    },
    ...(opts.alerts && {
      alerts() {
        rec('alerts')
        return opts.alerts
      },
    }),
    metrics() {
      rec('metrics')
      return Promise.resolve({
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
        body: '# TYPE sluice_runs_total counter\nsluice_runs_total 3\n',
      })
    },
  }
}
