import type { Hono } from 'hono'
import { z } from 'zod'
import { SluiceError } from '../../core/sluice-error.js'
import { TERMINAL_RUN_STATES } from '../../core/state/run-state.js'
import type { RunRecord } from '../../state/records.js'
import type { StateStore } from '../../state/state-store.js'
import type { ApiDeps } from '../api-deps.js'
import { findRun } from '../find-run.js'
import { filterRuns } from '../filter-runs.js'
import { followLogs } from '../follow-logs.js'
import { pageRuns } from '../page-runs.js'
import { parseInput } from '../parse-input.js'
import { readJsonBody } from '../read-json-body.js'
import { runListQuery } from '../request-schemas.js'
import type { ServiceControl } from '../service-control.js'

const emptyBody = z.strictObject({}).optional()
const logsQuery = z.strictObject({
  task: z.string().min(1).optional(),
  follow: z.enum(['0', '1', 'true', 'false']).optional(),
  after: z.coerce.number().int().min(0).optional(),
})
const RESUMABLE = new Set(['FAILED', 'CANCELLED'])

/** Runs: list (filters, paging), active, show with tasks and attempts, events, cancel, resume, logs, checks. */
export function registerRunRoutes(app: Hono, deps: ApiDeps): void {
  const { store, control } = deps

  app.get('/api/v1/runs', async (c) => {
    const q = parseInput(runListQuery, c.req.query(), 'query')
    const fetchNewest =
      q.group === undefined
        ? (n: number) =>
            store.listRuns({
              ...(q.pipeline !== undefined && { pipeline: q.pipeline }),
              ...(q.state !== undefined && { state: q.state }),
              limit: n,
            })
        : await groupFetcher(store, control, q.group, q.pipeline, q.state)
    const extra = {
      ...(q.trigger !== undefined && { trigger: q.trigger }),
      ...(q.since !== undefined && { since: q.since }),
      ...(q.until !== undefined && { until: q.until }),
    }
    const page = await pageRuns(filterRuns(fetchNewest, extra), {
      limit: q.limit,
      ...(q.offset !== undefined && { offset: q.offset }),
      ...(q.cursor !== undefined && { cursor: q.cursor }),
    })
    return c.json({ runs: page.runs, nextCursor: page.nextCursor, limit: q.limit })
  })

  // API-08 of the control-plane spec: runs that are queued or running
  app.get('/api/v1/runs/active', async (c) => {
    const [queued, running] = await Promise.all([
      store.listRuns({ state: 'QUEUED', limit: 1000 }),
      store.listRuns({ state: 'RUNNING', limit: 1000 }),
    ])
    return c.json({ runs: [...queued, ...running].sort(newestFirst) })
  })

  app.get('/api/v1/runs/:id', async (c) => {
    const run = await findRun(store, c.req.param('id'))
    return c.json({ ...run, tasks: await store.listTasks(run.id) })
  })

  app.get('/api/v1/runs/:id/events', async (c) => {
    const run = await findRun(store, c.req.param('id'))
    return c.json({ events: await store.listEvents(run.id) })
  })

  app.get('/api/v1/runs/:id/checks', async (c) => {
    const run = await findRun(store, c.req.param('id'))
    return c.json({ checks: await store.listCheckResults({ runId: run.id }) })
  })

  app.post('/api/v1/runs/:id/cancel', async (c) => {
    const run = await findRun(store, c.req.param('id'))
    parseInput(emptyBody, await readJsonBody(c), 'body')
    if (TERMINAL_RUN_STATES.has(run.state)) {
      throw new SluiceError('E_STATE_TRANSITION', `run ${run.id} already finished (${run.state})`, {
        hint: 'only QUEUED and RUNNING runs can be cancelled',
      })
    }
    await control.cancel(run.id, 'api')
    return c.json({ runId: run.id, cancelRequested: true }, 202)
  })

  app.post('/api/v1/runs/:id/resume', async (c) => {
    const run = await findRun(store, c.req.param('id'))
    parseInput(emptyBody, await readJsonBody(c), 'body')
    if (!RESUMABLE.has(run.state)) {
      throw new SluiceError('E_RUN_NOT_RESUMABLE', `run ${run.id} is ${run.state}`, {
        hint: 'only FAILED and CANCELLED runs can be resumed',
      })
    }
    const { tasks } = await control.resume(run.id, 'api')
    return c.json({ runId: run.id, tasks }, 202)
  })

  app.get('/api/v1/runs/:id/logs', async (c) => {
    const run = await findRun(store, c.req.param('id'))
    const q = parseInput(logsQuery, c.req.query(), 'query')
    if (q.task !== undefined) await assertTask(store, run.id, q.task)
    if (q.follow === '1' || q.follow === 'true') {
      const lastEventId = c.req.header('last-event-id')
      const resumeAt = lastEventId !== undefined ? Number(lastEventId) : NaN
      return followLogs(c, store, {
        runId: run.id,
        ...(q.task !== undefined && { task: q.task }),
        afterId: Number.isInteger(resumeAt) && resumeAt >= 0 ? resumeAt : (q.after ?? 0),
        pollMs: deps.pollMs,
      })
    }
    const logs = await store.readLogs(run.id, q.task)
    return c.json({ logs: logs.filter((l) => l.id > (q.after ?? 0)) })
  })

  app.get('/api/v1/runs/:id/tasks/:task/rejects', async (c) => {
    const run = await findRun(store, c.req.param('id'))
    const task = c.req.param('task')
    await assertTask(store, run.id, task)
    const q = parseInput(rejectsQuery, c.req.query(), 'query')
    if (!control.rejects) return c.json({ rejects: [], total: 0 })
    return c.json(await control.rejects(run.id, task, q.limit))
  })

  // API-06 of the control-plane spec
  app.get('/api/v1/runs/:id/tasks/:task/logs', async (c) => {
    const run = await findRun(store, c.req.param('id'))
    const task = c.req.param('task')
    await assertTask(store, run.id, task)
    return c.json({ logs: await store.readLogs(run.id, task) })
  })
}

const rejectsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
})

async function assertTask(store: StateStore, runId: string, task: string): Promise<void> {
  const tasks = await store.listTasks(runId)
  if (!tasks.some((t) => t.taskId === task)) {
    throw new SluiceError('E_STATE_NOT_FOUND', `run ${runId} has no task "${task}"`, {
      hint: `its tasks: ${tasks.map((t) => t.taskId).join(', ') || 'none'}`,
    })
  }
}

function newestFirst(a: RunRecord, b: RunRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

/** The runs of one backfill group, filtered and newest first, for `pageRuns`. */
async function groupFetcher(
  store: StateStore,
  control: ServiceControl,
  groupId: string,
  pipeline: string | undefined,
  state: string | undefined,
): Promise<(n: number) => Promise<RunRecord[]>> {
  const group = (await control.backfills()).find((b) => b.groupId === groupId)
  if (!group) {
    throw new SluiceError('E_STATE_NOT_FOUND', `no backfill group "${groupId}"`, {
      hint: 'list the groups with GET /api/v1/backfills',
    })
  }
  const found = await Promise.all(group.runs.map((id) => store.getRun(id)))
  const runs = found
    .filter((r): r is RunRecord => r !== undefined)
    .filter(
      (r) =>
        (pipeline === undefined || r.pipeline === pipeline) &&
        (state === undefined || r.state === state),
    )
    .sort(newestFirst)
  return (n) => Promise.resolve(runs.slice(0, n))
}
