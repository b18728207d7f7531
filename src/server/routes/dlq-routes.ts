import type { Hono } from 'hono'
import { z } from 'zod'
import { SluiceError } from '../../core/sluice-error.js'
import type { DeadLetterRecord } from '../../state/records.js'
import type { StateStore } from '../../state/state-store.js'
import type { ApiDeps } from '../api-deps.js'
import { findRun } from '../find-run.js'
import { parseInput } from '../parse-input.js'
import { readJsonBody } from '../read-json-body.js'
import { idParam, purgeBody } from '../request-schemas.js'

const dlqQuery = z.strictObject({
  run: z.string().min(1).optional(),
  task: z.string().min(1).optional(),
  requeued: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).optional(),
})

/**
 * Dead letters (tasks that exhausted their retries): list with filters and paging, show, requeue
 * (resumes the run through the service, then marks the entry), purge some or all. Requeue and
 * purge write audit events (`dlq.requeued`, `dlq.purged`).
 */
export function registerDlqRoutes(app: Hono, deps: ApiDeps): void {
  const { store, control } = deps

  app.get('/api/v1/dlq', async (c) => {
    const q = parseInput(dlqQuery, c.req.query(), 'query')
    const all = (await store.listDeadLetters()).filter(
      (d) =>
        (q.run === undefined || d.runId === q.run) &&
        (q.task === undefined || d.taskId === q.task) &&
        (q.requeued === undefined || (d.requeuedAt !== null) === (q.requeued === 'true')),
    )
    const offset = q.offset ?? 0
    const next = offset + q.limit
    return c.json({
      deadLetters: all.slice(offset, next),
      total: all.length,
      nextOffset: next < all.length ? next : null,
    })
  })

  app.get('/api/v1/dlq/:id', async (c) => {
    return c.json(await findDeadLetter(store, c.req.param('id')))
  })

  app.post('/api/v1/dlq/:id/requeue', async (c) => {
    const d = await findDeadLetter(store, c.req.param('id'))
    parseInput(z.strictObject({}).optional(), await readJsonBody(c), 'body')
    if (d.requeuedAt !== null) {
      throw new SluiceError(
        'E_STATE_CONFLICT',
        `dead letter ${d.id} was already requeued at ${d.requeuedAt}`,
        { hint: `follow the run with GET /api/v1/runs/${d.runId}` },
      )
    }
    const run = await findRun(store, d.runId)
    if (run.state !== 'FAILED' && run.state !== 'CANCELLED') {
      throw new SluiceError(
        'E_RUN_NOT_RESUMABLE',
        `dead letter ${d.id}: its run ${run.id} is ${run.state}, so it cannot be resumed now`,
        { hint: 'requeue it once the run has finished, or purge it' },
      )
    }
    const { tasks } = await control.resume(run.id, 'api')
    const at = new Date()
    await store.markRequeued(d.id, at)
    await store.recordEvent({
      runId: run.id,
      type: 'dlq.requeued',
      actor: 'api',
      at,
      data: { deadLetter: d.id, task: d.taskId },
    })
    return c.json({ id: d.id, runId: run.id, tasks }, 202)
  })

  app.post('/api/v1/dlq/purge', async (c) => {
    const body = parseInput(purgeBody, await readJsonBody(c), 'body')
    const ids = 'ids' in body ? body.ids : undefined
    const purged = await store.purgeDeadLetters(ids)
    await store.recordEvent({
      type: 'dlq.purged',
      actor: 'api',
      at: new Date(),
      data: { ids: ids ?? 'all', purged },
    })
    return c.json({ purged })
  })

  app.delete('/api/v1/dlq/:id', async (c) => {
    const d = await findDeadLetter(store, c.req.param('id'))
    const purged = await store.purgeDeadLetters([d.id])
    await store.recordEvent({
      runId: d.runId,
      type: 'dlq.purged',
      actor: 'api',
      at: new Date(),
      data: { ids: [d.id], purged },
    })
    return c.json({ purged })
  })
}

async function findDeadLetter(store: StateStore, raw: string): Promise<DeadLetterRecord> {
  const id = parseInput(idParam, raw, 'dead letter id')
  const d = await store.getDeadLetter(id)
  if (d) return d
  throw new SluiceError('E_STATE_NOT_FOUND', `no dead letter ${id}`, {
    hint: 'list them with GET /api/v1/dlq',
  })
}
