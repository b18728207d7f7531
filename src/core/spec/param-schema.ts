import { z } from 'zod'

export const PARAM_TYPES = [
  'string',
  'integer',
  'number',
  'boolean',
  'date',
  'timestamp',
  'duration',
  'list',
] as const
export type ParamType = (typeof PARAM_TYPES)[number]

export const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()])
export const paramValueSchema = z.union([scalarSchema, z.array(scalarSchema)])
export type ParamValue = z.infer<typeof paramValueSchema>

/** A declared parameter: a bare default value, or an object with its type. */
export const paramDeclSchema = z.union([
  paramValueSchema,
  z.strictObject({
    type: z
      .enum(PARAM_TYPES)
      .optional()
      .describe('Default: inferred from the default, else string.'),
    default: paramValueSchema.optional(),
    required: z
      .boolean()
      .optional()
      .describe('Fail when no value is given. Default: true when no default.'),
    description: z.string().optional(),
    values: z.array(scalarSchema).optional().describe('Allowed values.'),
  }),
])
export type ParamDecl = z.infer<typeof paramDeclSchema>

export const paramsSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), paramDeclSchema)
/** Task-level params: values that override pipeline-level ones for that task. */
export const taskParamsSchema = z.record(z.string(), paramValueSchema)
