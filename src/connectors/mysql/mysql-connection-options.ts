import { z } from 'zod'
import { durationSchema } from '../../core/spec/duration-schema.js'

const tlsObject = z.strictObject({
  rejectUnauthorized: z.boolean().optional(),
  ca: z.string().optional().describe('PEM text of the CA certificate(s).'),
  cert: z.string().optional(),
  key: z.string().optional(),
  servername: z.string().optional(),
})

/** Options of a `mysql://` or `mariadb://` connection (beside `url:`). */
export const mysqlConnectionOptions = z.object({
  pool: z.number().int().min(1).max(200).optional().describe('Pool size. Default 4.'),
  ssl: z
    .union([z.boolean(), z.enum(['disable', 'require', 'verify-ca', 'verify-full']), tlsObject])
    .optional()
    .describe('true/require: TLS without verification; verify-ca/verify-full: verify; or options.'),
  connect_timeout: durationSchema.optional().describe('Default 10s.'),
})

export type MysqlConnectionOptions = z.infer<typeof mysqlConnectionOptions>
