import { z } from 'zod'
import { durationSchema } from '../../core/spec/duration-schema.js'

/** Options of a `type: prometheus` connection (beside `url:`). */
export const prometheusConnectionOptions = z
  .object({
    username: z.string().optional().describe('Basic auth user (with password).'),
    password: z.string().optional().describe('Basic auth password; use ${env:NAME}.'),
    token: z.string().optional().describe('Bearer token; use ${env:NAME}.'),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe('Extra request headers (X-Scope-OrgID for Mimir/Cortex, …).'),
    timeout: durationSchema.optional().describe('HTTP timeout of one request. Default 2m.'),
  })
  .refine((o) => !(o.token !== undefined && o.password !== undefined), {
    message: 'give either token (bearer) or username/password (basic), not both',
  })

export type PrometheusConnectionOptions = z.infer<typeof prometheusConnectionOptions>
