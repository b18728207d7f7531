import type { Context, Hono } from 'hono'
import { z } from 'zod'
import type { GraphView } from '../../core/render/graph-view.js'
import {
  renderAscii,
  renderDot,
  renderJson,
  renderMermaid,
  renderSvg,
} from '../../core/render/index.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { ApiDeps } from '../api-deps.js'
import { findPipeline } from '../find-pipeline.js'
import { findRun } from '../find-run.js'
import { maskSpec } from '../mask-spec.js'
import { parseInput } from '../parse-input.js'
import { readJsonBody } from '../read-json-body.js'
import { backfillBody, pauseBody, triggerBody } from '../request-schemas.js'
import type { PipelineInfo } from '../service-control.js'

const GRAPH_FORMATS = ['json', 'mermaid', 'svg', 'dot', 'ascii'] as const
const graphQuery = z.strictObject({
  format: z.enum(GRAPH_FORMATS).default('json'),
  run: z.string().min(1).optional(),
})

/**
 * Pipelines: list, definition (connection URLs masked) and graph, status, trigger (also the
 * webhook), backfill, and pause/resume of the pipeline's schedule.
 */
export function registerPipelineRoutes(app: Hono, deps: ApiDeps): void {
  const { store, control } = deps

  app.get('/api/v1/pipelines', async (c) => {
    const all = await control.pipelines()
    return c.json({ pipelines: all.map(summary) })
  })

  app.get('/api/v1/pipelines/:name', async (c) => {
    const p = await findPipeline(control, c.req.param('name'))
    return c.json({
      ...summary(p),
      spec: maskSpec(p.spec),
      graph: JSON.parse(renderJson(p.graph)) as unknown,
    })
  })

  app.get('/api/v1/pipelines/:name/graph', async (c) => {
    const p = await findPipeline(control, c.req.param('name'))
    const q = parseInput(graphQuery, c.req.query(), 'query')
    let view: GraphView = p.graph
    if (q.run !== undefined) {
      const run = await findRun(store, q.run)
      if (run.pipeline !== p.name) {
        throw new SluiceError(
          'E_BAD_REQUEST',
          `run ${run.id} belongs to pipeline "${run.pipeline}", not "${p.name}"`,
          { hint: `ask GET /api/v1/pipelines/${run.pipeline}/graph?run=${run.id}` },
        )
      }
      const states = new Map((await store.listTasks(run.id)).map((t) => [t.taskId, t.state]))
      view = {
        ...view,
        nodes: view.nodes.map((n) => {
          const state = states.get(n.id)
          return state === undefined ? n : { ...n, state }
        }),
      }
    }
    switch (q.format) {
      case 'json':
        return c.json(JSON.parse(renderJson(view)))
      case 'svg':
        return c.body(renderSvg(view), 200, { 'content-type': 'image/svg+xml; charset=utf-8' })
      case 'mermaid':
        return c.text(renderMermaid(view))
      case 'dot':
        return c.text(renderDot(view))
      case 'ascii':
        return c.text(renderAscii(view, { color: false }))
    }
  })

  app.get('/api/v1/pipelines/:name/status', async (c) => {
    const p = await findPipeline(control, c.req.param('name'))
    const [lastRun] = await store.listRuns({ pipeline: p.name, limit: 1 })
    return c.json({
      pipeline: p.name,
      status: p.schedule === null ? 'manual' : p.schedule.paused ? 'paused' : 'scheduled',
      lastRun: lastRun ?? null,
      nextRunAt: p.schedule?.nextRunAt ?? null,
    })
  })

  const trigger = (actor: string) => async (c: Context) => {
    const p = await findPipeline(control, c.req.param('name') ?? '')
    const body = parseInput(triggerBody, await readJsonBody(c), 'body')
    const dedupeKey = body?.dedupeKey ?? c.req.header('idempotency-key')
    const result = await control.trigger(p.name, body?.params ?? {}, {
      actor,
      ...(dedupeKey !== undefined && dedupeKey !== '' && { dedupeKey }),
    })
    c.header('location', `/api/v1/runs/${encodeURIComponent(result.runId)}`)
    return c.json(
      { runId: result.runId, pipeline: p.name, deduplicated: result.deduplicated },
      result.deduplicated ? 200 : 202,
    )
  }
  // the webhook: an external system triggers a run with JSON params
  app.post('/api/v1/pipelines/:name/trigger', trigger('webhook'))
  // API-03 of the control-plane spec: the same, as "create a run"
  app.post('/api/v1/pipelines/:name/runs', trigger('api'))

  app.post('/api/v1/pipelines/:name/backfills', async (c) => {
    const p = await findPipeline(control, c.req.param('name'))
    const body = parseInput(backfillBody, (await readJsonBody(c)) ?? {}, 'body')
    const result = await control.backfill(
      p.name,
      {
        from: body.from,
        to: body.to,
        concurrency: body.concurrency,
        params: body.params,
      },
      'api',
    )
    return c.json({ groupId: result.groupId, pipeline: p.name, runs: result.runs }, 202)
  })

  // API-05 and its missing counterpart: pause / resume the pipeline's schedule
  app.post('/api/v1/pipelines/:name/pause', async (c) => {
    const p = await findPipeline(control, c.req.param('name'))
    const body = parseInput(pauseBody, await readJsonBody(c), 'body')
    return c.json(await control.pauseSchedule(p.name, body?.reason ?? '', 'api'))
  })
  app.post('/api/v1/pipelines/:name/resume', async (c) => {
    const p = await findPipeline(control, c.req.param('name'))
    parseInput(z.strictObject({}).optional(), await readJsonBody(c), 'body')
    return c.json(await control.resumeSchedule(p.name, 'api'))
  })
}

function summary(p: PipelineInfo) {
  return {
    name: p.name,
    file: p.file,
    hash: p.hash,
    description: p.description ?? null,
    schedule: p.schedule,
    tasks: p.graph.nodes.length,
  }
}
