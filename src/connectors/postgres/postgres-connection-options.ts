import { z } from 'zod'
import { durationSchema } from '../../core/spec/duration-schema.js'

const sslObject = z.strictObject({
  rejectUnauthorized: z.boolean().optional(),
  ca: z.string().optional().describe('PEM text of the CA certificate(s).'),
  cert: z.string().optional(),
  key: z.string().optional(),
  servername: z.string().optional(),
})

/** Options of a `postgres://` connection (beside `url:`). */
export const postgresConnectionOptions = z.object({
  pool: z.number().int().min(1).max(200).optional().describe('Pool size. Default 4.'),
  ssl: z
    .union([z.boolean(), z.enum(['disable', 'require', 'verify-full']), sslObject])
    .optional()
    .describe('true/require: TLS without verification; verify-full: verify; or tls options.'),
  statement_timeout: durationSchema.optional().describe('Per-statement limit. Default none.'),
  connect_timeout: durationSchema.optional().describe('Default 10s.'),
  application_name: z.string().optional().describe('Default sluice.'),
})

export type PostgresConnectionOptions = z.infer<typeof postgresConnectionOptions>
