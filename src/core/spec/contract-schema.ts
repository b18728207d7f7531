import { z } from 'zod'

export const CONTRACT_POLICIES = ['evolve', 'freeze', 'discard_row', 'discard_value'] as const
export type ContractPolicy = (typeof CONTRACT_POLICIES)[number]

const policy = z
  .enum(CONTRACT_POLICIES)
  .describe(
    'What a violation does: evolve (new columns and wider types are accepted and reported; other violations fail), freeze (any difference fails the task), discard_row (rows that violate are dropped and kept as rejects), discard_value (the offending value becomes NULL; a new column is dropped).',
  )

export const columnContractSchema = z.strictObject({
  type: z
    .string()
    .min(1)
    .optional()
    .describe(
      'boolean, int32, int64, float64, decimal(p,s), string, date, timestamp, timestamptz, json, binary. Values are cast to it.',
    ),
  nullable: z.boolean().optional().describe('Default true. false: a NULL is a violation.'),
  min: z.number().optional().describe('Smallest allowed value (inclusive).'),
  max: z.number().optional().describe('Largest allowed value (inclusive).'),
  values: z
    .array(z.union([z.string(), z.number(), z.boolean()]))
    .min(1)
    .optional()
    .describe('The only allowed values.'),
  pattern: z.string().min(1).optional().describe('A regular expression the text must match.'),
  policy: policy.optional().describe('Overrides the contract policy for this column.'),
})

/**
 * The output schema a data task promises (`contract:`): declared columns with types, nullability
 * and constraints, and what to do when the data breaks it. Checked after the task writes its
 * dataset, before anything downstream reads it.
 */
export const contractSchema = z.strictObject({
  policy: policy.optional().describe('Default evolve.'),
  columns: z
    .record(z.string().min(1), z.union([z.string().min(1), columnContractSchema]))
    .describe('`{ id: int64 }` or `{ id: { type: int64, nullable: false, min: 1 } }`.'),
})

export type ContractSpec = z.infer<typeof contractSchema>
export type ColumnContract = z.infer<typeof columnContractSchema>
