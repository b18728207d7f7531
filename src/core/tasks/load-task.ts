import { z } from 'zod'
import { destinationSchema } from '../spec/io-schema.js'
import { taskCommonShape } from '../spec/task-common-schema.js'
import type { TaskType } from './task-type.js'

export const loadTask = {
  type: 'load',
  summary: 'writes an upstream dataset to a database table or file',
  producesData: false,
  readsInput: true,
  schema: z.strictObject({
    type: z.literal('load'),
    ...taskCommonShape,
    destination: destinationSchema,
    input: z.string().optional(),
  }),
} as const satisfies TaskType
