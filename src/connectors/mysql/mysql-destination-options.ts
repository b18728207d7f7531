import { z } from 'zod'
import { LOAD_MODES } from '../../core/spec/io-schema.js'

/** The `destination:` keys a MySQL load understands (other keys are the engine's). */
export const mysqlDestinationOptions = z.object({
  table: z.string().min(1).describe('table or database.table'),
  mode: z.enum(LOAD_MODES).optional(),
  keys: z.array(z.string().min(1)).min(1).optional(),
  create: z.boolean().optional().describe('Create the table when missing. Default true.'),
  schema_evolution: z
    .enum(['evolve', 'freeze', 'discard_columns'])
    .optional()
    .describe('evolve: ADD COLUMN for new columns (default); freeze: fail with the diff.'),
  batch_size: z.number().int().min(1).optional().describe('Rows per INSERT. Default 1000.'),
})

export type MysqlDestinationOptions = z.infer<typeof mysqlDestinationOptions>
