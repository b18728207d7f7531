import { z } from 'zod'
import { LOAD_MODES } from '../../core/spec/io-schema.js'

/** The `destination:` keys a PostgreSQL load understands (other keys are the engine's). */
export const postgresDestinationOptions = z.object({
  table: z.string().min(1).describe('table or schema.table (quote a part with "…" for dots)'),
  mode: z.enum(LOAD_MODES).optional().describe('Default append.'),
  keys: z.array(z.string().min(1)).min(1).optional(),
  create: z.boolean().optional().describe('Create the table when missing. Default true.'),
  schema_evolution: z
    .enum(['evolve', 'freeze', 'discard_columns'])
    .optional()
    .describe('Default evolve: add new columns, widen types.'),
  batch_size: z.number().int().min(1).optional(),
  state_schema: z
    .string()
    .min(1)
    .optional()
    .describe('Schema of `_sluice_state`. Default: the first schema on the search_path.'),
})

export type PostgresDestinationOptions = z.infer<typeof postgresDestinationOptions>
