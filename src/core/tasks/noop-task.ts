import { z } from 'zod'
import { taskCommonShape } from '../spec/task-common-schema.js'
import type { TaskType } from './task-type.js'

export const noopTask = {
  type: 'noop',
  summary: 'does nothing; groups or gates other tasks',
  producesData: false,
  readsInput: false,
  schema: z.strictObject({ type: z.literal('noop'), ...taskCommonShape }),
} as const satisfies TaskType
