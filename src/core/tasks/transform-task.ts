import { z } from 'zod'
import { COLUMN_TYPES, errorPolicySchema } from '../spec/io-schema.js'
import { contractSchema } from '../spec/contract-schema.js'
import { taskCommonShape } from '../spec/task-common-schema.js'
import { transformOpsSchema } from '../spec/transform-op-schema.js'
import type { TaskType } from './task-type.js'

export const transformTask = {
  type: 'transform',
  summary: 'built-in ops (DuckDB) or a TS module map the input dataset into a new one',
  producesData: true,
  readsInput: true,
  schema: z.strictObject({
    type: z.literal('transform'),
    ...taskCommonShape,
    contract: contractSchema
      .optional()
      .describe('The output schema this task promises, and what a violation does.'),
    ops: transformOpsSchema
      .optional()
      .describe('Declarative ops applied in order (select, filter, derive, dedupe, impute, …).'),
    module: z
      .string()
      .min(1)
      .optional()
      .describe('A TS/JS module exporting map(row, ctx), transform(batch, ctx) or a generator.'),
    export: z.string().optional().describe('The function to call. Default map, then transform.'),
    map: z
      .custom<(row: never, ctx: never) => unknown>((v) => typeof v === 'function', {
        message: 'map must be a function (row, ctx) => row | null | row[]',
      })
      .optional()
      .describe('TS pipelines only: a row function run in-process (no worker isolation).'),
    transform: z
      .custom<(rows: never, ctx: never) => unknown>((v) => typeof v === 'function', {
        message: 'transform must be a function (rows, ctx) => rows, or an async generator',
      })
      .optional()
      .describe('TS pipelines only: a batch or streaming function run in-process.'),
    input: z.string().optional(),
    batch_size: z.number().int().min(1).optional(),
    columns: z
      .record(z.string(), z.enum(COLUMN_TYPES))
      .optional()
      .describe('Declared output columns of a module (otherwise inferred from its rows).'),
    on_error: errorPolicySchema
      .optional()
      .describe('A record the function throws on: fail (default), skip, or quarantine it.'),
    max_bad_rows: z.number().int().min(0).optional(),
  }),
} as const satisfies TaskType
