import { z } from 'zod'
import { durationSchema } from './duration-schema.js'
import { coded } from './sluice-issue.js'

/** The check kinds, in the order they are documented; each is one key of a check item. */
export const CHECK_TYPES = [
  'not_null',
  'unique',
  'accepted_values',
  'range',
  'regex',
  'row_count',
  'freshness',
  'monotonic',
  'no_future',
  'max_gap',
  'referential',
  'expression',
  'sql',
] as const

export type CheckType = (typeof CHECK_TYPES)[number]

const column = z.string().min(1).describe('A column of the checked dataset.')
const columns = z
  .union([column, z.array(column).min(1)])
  .describe('One column, or a list of columns.')
const bound = z
  .union([z.number(), z.string()])
  .describe('A number, or a string DuckDB casts to the column type (a date, a decimal).')

const rangeSchema = z
  .strictObject({
    column,
    min: bound.optional().describe('Lowest allowed value.'),
    max: bound.optional().describe('Highest allowed value.'),
    inclusive: z
      .boolean()
      .optional()
      .describe('Whether min and max themselves are allowed. Default true.'),
  })
  .refine(
    (r) => r.min !== undefined || r.max !== undefined,
    coded('E_SCHEMA_REQUIRED', 'range needs min, max or both'),
  )
  .describe('Values lie between min and max. NULL passes (add not_null to forbid it).')

const rowCountSchema = z
  .strictObject({
    min: z.number().int().min(0).optional().describe('Fewest rows allowed.'),
    max: z.number().int().min(0).optional().describe('Most rows allowed.'),
  })
  .refine(
    (r) => r.min !== undefined || r.max !== undefined,
    coded('E_SCHEMA_REQUIRED', 'row_count needs min, max or both'),
  )
  .refine(
    (r) => r.min === undefined || r.max === undefined || r.min <= r.max,
    coded('E_SCHEMA_VALUE', 'row_count min is greater than max'),
  )
  .describe('The number of rows lies between min and max (inclusive).')

/** The check keys; a check item holds exactly one of them. */
const checkKeys = {
  not_null: columns
    .optional()
    .describe('A row fails when any listed column is NULL: `not_null: [id, amount]`.'),
  unique: columns
    .optional()
    .describe(
      'The column (or the compound key of several columns) has no duplicates; every row of a ' +
        'duplicated key fails. A key with a NULL in it is never a duplicate, as in SQL UNIQUE.',
    ),
  accepted_values: z
    .strictObject({
      column,
      values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
      allow_null: z.boolean().optional().describe('Whether NULL passes. Default false.'),
    })
    .optional()
    .describe('Every value is one of `values`.'),
  range: rangeSchema.optional(),
  regex: z
    .strictObject({
      column,
      pattern: z
        .string()
        .min(1)
        .describe('An RE2 pattern, matched anywhere in the value unless anchored with ^ and $.'),
    })
    .optional()
    .describe(
      'Every value matches the pattern (DuckDB regexp_matches on the value as text). NULL passes.',
    ),
  row_count: rowCountSchema.optional(),
  freshness: z
    .strictObject({
      column,
      max_age: durationSchema.describe('How old the newest value may be, e.g. 1d or PT2H.'),
    })
    .optional()
    .describe(
      'The newest value of a date/timestamp column is no older than now - max_age. ' +
        'Fails on an empty dataset or an all-NULL column.',
    ),
  monotonic: z
    .strictObject({
      column,
      by: columns.optional().describe('Key columns: each key is its own sequence.'),
      strict: z
        .boolean()
        .optional()
        .describe('Equal consecutive values fail too (increasing, not just non-decreasing).'),
    })
    .optional()
    .describe(
      'Values never decrease from one row to the next of the same key, in the order the rows are ' +
        'stored in the dataset. A row fails when its value is lower than the previous non-NULL ' +
        'value of its key. NULLs are skipped.',
    ),
  no_future: z
    .strictObject({
      column,
      tolerance: durationSchema.optional().describe('Allowed clock skew. Default 0.'),
    })
    .optional()
    .describe('No date/timestamp value is later than now + tolerance. NULL passes.'),
  max_gap: z
    .strictObject({
      column,
      by: columns.optional().describe('Key columns: each key is its own series.'),
      max: durationSchema.describe('The longest allowed gap, e.g. 15m.'),
    })
    .optional()
    .describe(
      'Sorted by the column (per key), consecutive timestamps are at most `max` apart. The row ' +
        'after a longer gap fails. NULLs are skipped.',
    ),
  referential: z
    .strictObject({
      column,
      to: z
        .string()
        .min(1)
        .describe('The relation that holds the keys: an upstream task id (a `depends_on`).'),
      to_column: z.string().min(1).optional().describe('Its key column. Default: `column`.'),
    })
    .optional()
    .describe('Every non-NULL value exists in to.to_column (a foreign key). NULL passes.'),
  expression: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A SQL boolean expression over one row, e.g. `amount > 0`. A row fails when it is false; ' +
        'NULL passes, as in a SQL CHECK constraint.',
    ),
  sql: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A DuckDB query that returns the failing rows. The checked dataset is visible as `input`, ' +
        'upstream datasets under their task ids.',
    ),
} as const

/**
 * One quality check: exactly one check key (`not_null`, `unique`, `range`, …) plus optional
 * `name`, `severity` and `description`. A check with severity error fails its task; warn only
 * reports. The checks compile to DuckDB SQL in src/transforms/checks.
 */
export const checkSchema = z
  .strictObject({
    ...checkKeys,
    name: z
      .string()
      .min(1)
      .optional()
      .describe('Name in results and logs. Default derived from the check, e.g. `not_null(id)`.'),
    severity: z
      .enum(['error', 'warn'])
      .optional()
      .describe('error (default) fails the task; warn only reports.'),
    description: z.string().optional(),
  })
  .superRefine(
    (check, ctx) => {
      const present = CHECK_TYPES.filter((k) => check[k] !== undefined)
      if (present.length === 1) return
      ctx.addIssue({
        code: 'custom',
        message:
          present.length === 0
            ? `a check needs one of: ${CHECK_TYPES.join(', ')}`
            : `a check holds exactly one check key, not ${present.join(' and ')}; split it into ${present.length} checks`,
        params: { code: present.length === 0 ? 'E_SCHEMA_REQUIRED' : 'E_SCHEMA_VALUE' },
      })
    },
    // a misspelt key (`not_nul`) is reported once, as an unknown key with a suggestion
    { when: (payload) => payload.issues.length === 0 },
  )
  .describe('A quality check: exactly one check key plus optional name, severity, description.')

export type CheckSpec = z.infer<typeof checkSchema>
