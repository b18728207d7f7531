import { z } from 'zod'
import { taskCommonShape } from '../spec/task-common-schema.js'
import type { TaskType } from './task-type.js'

export const functionTask = {
  type: 'function',
  summary: 'calls an exported TS/JS function with a task context',
  producesData: false,
  readsInput: false,
  schema: z.strictObject({
    type: z.literal('function'),
    ...taskCommonShape,
    module: z.string().min(1).describe('Path to a .ts/.js module, relative to the pipeline file.'),
    export: z.string().optional().describe('Export name. Default "default".'),
    args: z.record(z.string(), z.unknown()).optional().describe('Passed as ctx.args.'),
  }),
} as const satisfies TaskType
