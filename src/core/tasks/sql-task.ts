import { z } from 'zod'
import { contractSchema } from '../spec/contract-schema.js'
import { taskCommonShape } from '../spec/task-common-schema.js'
import type { TaskType } from './task-type.js'

export const sqlTask = {
  type: 'sql',
  summary: 'DuckDB SQL over upstream datasets (or SQL inside a database with connection:)',
  producesData: true,
  readsInput: true,
  schema: z.strictObject({
    type: z.literal('sql'),
    ...taskCommonShape,
    contract: contractSchema
      .optional()
      .describe('The output schema this task promises, and what a violation does.'),
    sql: z
      .string()
      .min(1)
      .optional()
      .describe('The query; upstream datasets are views named after their task.'),
    file: z.string().optional().describe('A .sql file instead of sql:.'),
    connection: z.string().optional().describe('Run inside this database instead of DuckDB.'),
    input: z.union([z.string(), z.array(z.string())]).optional(),
  }),
} as const satisfies TaskType
