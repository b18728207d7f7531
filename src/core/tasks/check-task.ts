import { z } from 'zod'
import { checkSchema, taskCommonShape } from '../spec/task-common-schema.js'
import type { TaskType } from './task-type.js'

export const checkTask = {
  type: 'check',
  summary: 'runs quality checks over an upstream dataset',
  producesData: false,
  readsInput: true,
  schema: z.strictObject({
    type: z.literal('check'),
    ...taskCommonShape,
    checks: z.array(checkSchema).min(1),
    input: z.string().optional(),
  }),
} as const satisfies TaskType
