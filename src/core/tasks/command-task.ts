import { z } from 'zod'
import { taskCommonShape } from '../spec/task-common-schema.js'
import type { TaskType } from './task-type.js'

export const commandTask = {
  type: 'command',
  summary: 'runs a shell command; stdout and stderr go to the task log',
  producesData: false,
  readsInput: false,
  schema: z.strictObject({
    type: z.literal('command'),
    ...taskCommonShape,
    command: z
      .union([z.string().min(1), z.array(z.string()).min(1)])
      .describe('Shell line, or argv without a shell.'),
    env: z
      .record(z.string(), z.string())
      .optional()
      .describe('Added to the inherited environment.'),
    cwd: z.string().optional().describe('Working directory, relative to the pipeline file.'),
  }),
} as const satisfies TaskType
