import type { Hono } from 'hono'
import { z } from 'zod'
import { SluiceError } from '../../core/sluice-error.js'
import type { ApiDeps } from '../api-deps.js'
import { findPipeline } from '../find-pipeline.js'
import { parseInput } from '../parse-input.js'
import { readJsonBody } from '../read-json-body.js'
import { pauseBody } from '../request-schemas.js'
import type { ScheduleInfo } from '../service-control.js'

/** Schedules (list, show, pause with a reason, resume) and backfill groups (list, show). */
export function registerScheduleRoutes(app: Hono, deps: ApiDeps): void {
  const { control } = deps

  app.get('/api/v1/schedules', async (c) => {
    return c.json({ schedules: await control.schedules() })
  })

  app.get('/api/v1/schedules/:name', async (c) => {
    return c.json(await findSchedule(deps, c.req.param('name')))
  })

  app.post('/api/v1/schedules/:name/pause', async (c) => {
    const s = await findSchedule(deps, c.req.param('name'))
    const body = parseInput(pauseBody, await readJsonBody(c), 'body')
    return c.json(await control.pauseSchedule(s.pipeline, body?.reason ?? '', 'api'))
  })

  app.post('/api/v1/schedules/:name/resume', async (c) => {
    const s = await findSchedule(deps, c.req.param('name'))
    parseInput(z.strictObject({}).optional(), await readJsonBody(c), 'body')
    return c.json(await control.resumeSchedule(s.pipeline, 'api'))
  })

  app.get('/api/v1/backfills', async (c) => {
    return c.json({ backfills: await control.backfills() })
  })

  app.get('/api/v1/backfills/:id', async (c) => {
    const id = c.req.param('id')
    const group = (await control.backfills()).find((b) => b.groupId === id)
    if (!group) {
      throw new SluiceError('E_STATE_NOT_FOUND', `no backfill group "${id}"`, {
        hint: 'list the groups with GET /api/v1/backfills',
      })
    }
    return c.json(group)
  })
}

/** A schedule by pipeline name: E_PIPELINE_UNKNOWN if no such pipeline, E_STATE_NOT_FOUND if unscheduled. */
async function findSchedule(deps: ApiDeps, name: string): Promise<ScheduleInfo> {
  const found = (await deps.control.schedules()).find((s) => s.pipeline === name)
  if (found) return found
  await findPipeline(deps.control, name)
  throw new SluiceError('E_STATE_NOT_FOUND', `pipeline "${name}" has no schedule`, {
    hint: 'add `schedule:` to its file; list schedules with GET /api/v1/schedules',
  })
}
