import { z } from 'zod'
import { destinationSchema, sourceSchema } from '../spec/io-schema.js'
import { contractSchema } from '../spec/contract-schema.js'
import { taskCommonShape } from '../spec/task-common-schema.js'
import type { TaskType } from './task-type.js'

export const extractTask = {
  type: 'extract',
  summary: 'reads a source into a dataset (or copies it straight to a destination)',
  producesData: true,
  readsInput: false,
  schema: z.strictObject({
    type: z.literal('extract'),
    ...taskCommonShape,
    contract: contractSchema
      .optional()
      .describe('The output schema this task promises, and what a violation does.'),
    source: sourceSchema,
    destination: destinationSchema.optional().describe('Copy straight here without staging.'),
  }),
} as const satisfies TaskType
