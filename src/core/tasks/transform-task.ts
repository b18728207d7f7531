import { z } from 'zod'
import { taskCommonShape } from '../spec/task-common-schema.js'
import type { TaskType } from './task-type.js'

export const transformTask = {
  type: 'transform',
  summary: 'a TS module maps batches of rows into a new dataset',
  producesData: true,
  readsInput: true,
  schema: z.strictObject({
    type: z.literal('transform'),
    ...taskCommonShape,
    module: z.string().min(1),
    export: z.string().optional(),
    input: z.string().optional(),
    batch_size: z.number().int().min(1).optional(),
  }),
} as const satisfies TaskType
