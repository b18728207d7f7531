import { z } from 'zod'
import { durationSchema, timeoutSchema } from './duration-schema.js'
import { retriesSchema } from './retry-schema.js'
import { taskParamsSchema } from './param-schema.js'
import { checkSchema } from './check-schema.js'

export const TASK_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** Re-exported for the task schemas that list checks. */
export { checkSchema }

/** Keys every task type accepts. */
export const taskCommonShape = {
  description: z.string().optional(),
  depends_on: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('Upstream task ids that must finish first.'),
  retries: retriesSchema.optional(),
  timeout: timeoutSchema.optional().describe('Per-attempt timeout. Default 1h.'),
  pool: z
    .string()
    .optional()
    .describe('A pool under `pools:` (or a connection name) limiting concurrency.'),
  priority: z
    .number()
    .int()
    .min(-1000)
    .max(1000)
    .optional()
    .describe('Higher runs first. Default 0.'),
  tags: z.array(z.string()).optional(),
  params: taskParamsSchema.optional().describe('Parameter values for this task only.'),
  on_upstream_failure: z.enum(['skip', 'run']).optional().describe('Default skip.'),
  checks: z.array(checkSchema).optional().describe('Quality checks on this task’s output.'),
  estimate: durationSchema.optional().describe('Expected duration, for the critical path.'),
  resources: z
    .strictObject({
      cpu: z.number().positive().optional(),
      memory_mb: z.number().int().positive().optional(),
    })
    .optional(),
} as const
