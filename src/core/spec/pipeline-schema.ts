import { z } from 'zod'
import { TASK_TYPES } from '../tasks/task-types.js'
import { connectionSchema } from './connection-schema.js'
import { durationSchema, timeoutSchema } from './duration-schema.js'
import { paramsSchema } from './param-schema.js'
import { retriesSchema } from './retry-schema.js'
import { scheduleSchema } from './schedule-schema.js'
import { triggersSchema } from './trigger-schema.js'
import { TASK_ID_PATTERN } from './task-common-schema.js'
import { coded } from './sluice-issue.js'

export const PIPELINE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/

/** Keys a task may inherit from `defaults:`. */
export const defaultsSchema = z.strictObject({
  retries: retriesSchema.optional(),
  timeout: timeoutSchema.optional(),
  pool: z.string().optional(),
  on_upstream_failure: z.enum(['skip', 'run']).optional(),
  priority: z.number().int().optional(),
  tags: z.array(z.string()).optional(),
})

const taskIdSchema = z
  .string()
  .regex(
    TASK_ID_PATTERN,
    coded('E_SCHEMA_VALUE', 'task ids are letters, digits, _ and -, starting with a letter or _'),
  )

/**
 * The top level of a pipeline file. `tasks` is checked here only as a map; each task is then
 * checked against the schema of its own type, so errors name the right keys.
 */
export const pipelineShape = {
  name: z
    .string()
    .regex(
      PIPELINE_NAME_PATTERN,
      coded('E_SCHEMA_VALUE', 'pipeline names are lower-case letters, digits, _ and -'),
    )
    .describe('Unique pipeline name.'),
  description: z.string().optional(),
  schedule: scheduleSchema.optional(),
  triggers: triggersSchema
    .optional()
    .describe('Event triggers for sluice serve: a file landing, another pipeline finishing.'),
  params: paramsSchema.optional(),
  connections: z.record(z.string(), connectionSchema).optional(),
  pools: z
    .record(z.string(), z.number().int().min(1).max(10_000))
    .optional()
    .describe('Named concurrency pools.'),
  defaults: defaultsSchema.optional(),
  max_parallel: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe('Most tasks running at once.'),
  fail_fast: z
    .boolean()
    .optional()
    .describe('Stop starting tasks after the first failure. Default false.'),
  timeout: timeoutSchema.optional().describe('Run timeout.'),
  retention: durationSchema
    .optional()
    .describe('How long runs, logs and datasets are kept. Default 30d.'),
  tags: z.array(z.string()).optional(),
}

export const pipelineTopSchema = z.strictObject({
  ...pipelineShape,
  tasks: z.record(taskIdSchema, z.unknown()),
})

/** The whole file, tasks included: used for the JSON Schema that editors read. */
export function fullPipelineSchema() {
  const taskUnion = z.discriminatedUnion(
    'type',
    Object.values(TASK_TYPES).map((t) => t.schema) as unknown as [
      (typeof TASK_TYPES)['noop']['schema'],
      ...(typeof TASK_TYPES)[keyof typeof TASK_TYPES]['schema'][],
    ],
  )
  return z.strictObject({ ...pipelineShape, tasks: z.record(taskIdSchema, taskUnion) })
}
