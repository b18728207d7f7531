import type { Hono } from 'hono'
import { z } from 'zod'
import type { ApiDeps } from '../api-deps.js'
import { findPipeline } from '../find-pipeline.js'
import { parseInput } from '../parse-input.js'
import type { LineageQuery } from '../service-control.js'

const checksQuery = z.strictObject({
  run: z.string().min(1).optional(),
  pipeline: z.string().min(1).optional(),
  task: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
})

const lineageQuery = z
  .strictObject({
    dataset: z.string().min(1).optional(),
    pipeline: z.string().min(1).optional(),
    task: z.string().min(1).optional(),
    direction: z.enum(['upstream', 'downstream', 'both']).default('both'),
  })
  .refine((q) => (q.dataset === undefined) !== (q.task === undefined), {
    message: 'name either dataset= or task= (with pipeline=), not both and not neither',
  })
  .refine((q) => q.task === undefined || q.pipeline !== undefined, {
    message: 'task= needs pipeline=',
    path: ['pipeline'],
  })

/** Quality check results (by run, pipeline, task, check name), alerts sent, and lineage (dataset or task). */
export function registerInsightRoutes(app: Hono, deps: ApiDeps): void {
  const { store, control } = deps

  app.get('/api/v1/checks', async (c) => {
    const q = parseInput(checksQuery, c.req.query(), 'query')
    const checks = await store.listCheckResults({
      ...(q.run !== undefined && { runId: q.run }),
      ...(q.pipeline !== undefined && { pipeline: q.pipeline }),
      ...(q.task !== undefined && { taskId: q.task }),
      ...(q.name !== undefined && { name: q.name }),
      limit: q.limit,
    })
    return c.json({ checks })
  })

  app.get('/api/v1/alerts', async (c) => {
    const alerts = await control.alerts?.()
    return c.json({ configured: alerts !== undefined, alerts: alerts ?? [] })
  })

  app.get('/api/v1/lineage', async (c) => {
    const q = parseInput(lineageQuery, c.req.query(), 'query')
    let query: LineageQuery
    if (q.task !== undefined && q.pipeline !== undefined) {
      await findPipeline(control, q.pipeline)
      query = { pipeline: q.pipeline, task: q.task }
    } else query = { dataset: q.dataset ?? '' }
    return c.json(await control.lineage(query, q.direction))
  })
}
