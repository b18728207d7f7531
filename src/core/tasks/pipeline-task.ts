import { z } from 'zod'
import { taskCommonShape } from '../spec/task-common-schema.js'
import type { TaskType } from './task-type.js'

export const pipelineTask = {
  type: 'pipeline',
  summary: 'runs another pipeline (its params come from this task’s params) and waits',
  producesData: false,
  readsInput: false,
  schema: z.strictObject({
    type: z.literal('pipeline'),
    ...taskCommonShape,
    pipeline: z.string().min(1).describe('Name or path of the pipeline to run.'),
  }),
} as const satisfies TaskType
