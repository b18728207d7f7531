import { z } from 'zod'
import { incrementalSchema } from '../../core/spec/io-schema.js'

/** The `source:` keys a database extract understands (PostgreSQL, MySQL, SQLite; other keys are the engine's). */
export const sqlSourceOptions = z
  .object({
    table: z
      .string()
      .min(1)
      .optional()
      .describe('table, or schema.table (database.table in MySQL)'),
    query: z.string().min(1).optional(),
    incremental: incrementalSchema.optional(),
    keys: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Tie-breaker for incremental reads. Default: the primary key of `table`.'),
    batch_size: z.number().int().min(1).optional(),
  })
  .refine((o) => (o.table === undefined) !== (o.query === undefined), {
    message: 'give exactly one of table or query',
  })

export type SqlSourceOptions = z.infer<typeof sqlSourceOptions>
