import { z } from 'zod'
import { httpSourceSchema } from '../../core/spec/http-io-schema.js'
import { COLUMN_TYPES, incrementalSchema } from '../../core/spec/io-schema.js'

/** The `source:` keys the http connector reads (others of the task, like `connection`, pass). */
export const httpSourceOptions = z.looseObject({
  http: httpSourceSchema.optional(),
  columns: z.record(z.string(), z.enum(COLUMN_TYPES)).optional(),
  incremental: incrementalSchema.optional(),
  batch_size: z.number().int().min(1).optional(),
  on_error: z.enum(['fail', 'skip', 'quarantine']).optional(),
  max_bad_rows: z.number().int().min(0).optional(),
})

export type HttpSourceOptions = z.infer<typeof httpSourceOptions>
