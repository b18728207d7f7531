import { z } from 'zod'
import { httpDestinationSchema } from '../../core/spec/http-io-schema.js'

/** The `destination:` keys the http connector reads. */
export const httpDestinationOptions = z.looseObject({
  http: httpDestinationSchema.optional(),
  batch_size: z.number().int().min(1).optional(),
  mode: z.string().optional(),
})

export type HttpDestinationOptions = z.infer<typeof httpDestinationOptions>
