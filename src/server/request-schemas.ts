import { z } from 'zod'
import { RUN_STATES } from '../core/state/run-state.js'

/** Params of a run: a JSON object (names are checked against the pipeline by the service). */
export const paramsSchema = z.record(z.string(), z.json())

const pageFields = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).optional(),
  cursor: z.string().min(1).max(500).optional(),
}

/** `GET /runs` query. */
export const runListQuery = z.strictObject({
  ...pageFields,
  pipeline: z.string().min(1).optional(),
  state: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(RUN_STATES))
    .optional(),
  group: z.string().min(1).optional(),
  /** Trigger kind: `manual`, `schedule`, `webhook`, `backfill`, `file`, … */
  trigger: z.string().min(1).max(100).optional(),
  /** Runs created at or after / before these ISO instants. */
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
})

/** `POST /pipelines/:name/trigger` and `/runs` body. */
export const triggerBody = z
  .strictObject({
    params: paramsSchema.optional(),
    dedupeKey: z.string().min(1).max(200).optional(),
  })
  .optional()

const dateOrTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/, {
    message: 'expected an ISO date (2026-01-31) or timestamp (2026-01-31T02:00:00Z)',
  })
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'not a real date' })

/** `POST /pipelines/:name/backfills` body. */
export const backfillBody = z
  .strictObject({
    from: dateOrTimestamp,
    to: dateOrTimestamp,
    concurrency: z.number().int().min(1).max(64).default(1),
    params: paramsSchema.default({}),
  })
  .refine((b) => Date.parse(b.from) <= Date.parse(b.to), {
    message: '"from" must not be after "to"',
    path: ['from'],
  })

/** `POST …/pause` body. */
export const pauseBody = z.strictObject({ reason: z.string().max(500).optional() }).optional()

/** `POST /dlq/purge` body: some ids, or all of them. */
export const purgeBody = z.union([
  z.strictObject({ ids: z.array(z.number().int().min(1)).min(1).max(10_000) }),
  z.strictObject({ all: z.literal(true) }),
])

/** A positive integer id in a path. */
export const idParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER)
