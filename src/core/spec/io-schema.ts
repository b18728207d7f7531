import { z } from 'zod'
import { durationSchema } from './duration-schema.js'
import { httpDestinationSchema, httpSourceSchema } from './http-io-schema.js'
import { influxdbDestinationSchema, influxdbSourceSchema } from './influxdb-io-schema.js'
import { prometheusSourceSchema } from './prometheus-io-schema.js'

export const FILE_FORMATS = ['csv', 'json', 'jsonl', 'parquet'] as const
export const LOAD_MODES = ['append', 'replace', 'merge', 'truncate_insert'] as const
export const COLUMN_TYPES = [
  'boolean',
  'int32',
  'int64',
  'float64',
  'decimal',
  'string',
  'date',
  'timestamp',
  'timestamptz',
  'json',
  'binary',
] as const

export const csvOptionsSchema = z.strictObject({
  delimiter: z.string().min(1).max(4).optional().describe('Default ",".'),
  header: z.boolean().optional().describe('First line holds column names. Default true.'),
  quote: z.string().max(1).optional(),
  escape: z.string().max(1).optional(),
  null: z.string().optional().describe('Text that means NULL. Default empty.'),
  skip: z.number().int().min(0).optional().describe('Lines to skip before the header.'),
})

export const incrementalSchema = z.strictObject({
  column: z.string().min(1).describe('Monotonic column (updated_at, id) used as the watermark.'),
  lookback: durationSchema
    .optional()
    .describe('Re-read this much before the watermark (late rows).'),
  initial: z.union([z.string(), z.number()]).optional().describe('Watermark for the first run.'),
})

export const errorPolicySchema = z.enum(['fail', 'skip', 'quarantine'])

/** Where an extract reads: a file path (glob) or a connection with a table or query. */
export const sourceSchema = z.strictObject({
  connection: z.string().optional().describe('A name under `connections:`.'),
  path: z.string().optional().describe('File path or glob; format from the extension.'),
  format: z.enum(FILE_FORMATS).optional(),
  compression: z.enum(['auto', 'none', 'gzip', 'zstd']).optional(),
  csv: csvOptionsSchema.optional(),
  table: z.string().optional(),
  query: z.string().optional(),
  columns: z.record(z.string(), z.enum(COLUMN_TYPES)).optional().describe('Declared column types.'),
  keys: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('Tie-breaker columns for incremental reads. Default: the primary key of table.'),
  incremental: incrementalSchema.optional(),
  batch_size: z
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .optional()
    .describe('Rows per batch. Default 10000.'),
  on_error: errorPolicySchema
    .optional()
    .describe('Bad records: fail, skip or quarantine. Default fail.'),
  max_bad_rows: z.number().int().min(0).optional(),
  http: httpSourceSchema.optional().describe('HTTP/REST request (connection of type http).'),
  prometheus: prometheusSourceSchema
    .optional()
    .describe('PromQL query (connection of type prometheus).'),
  influxdb: influxdbSourceSchema
    .optional()
    .describe('InfluxQL or Flux query (connection of type influxdb).'),
})

/** Where a load (or a copying extract) writes. */
export const destinationSchema = z.strictObject({
  connection: z.string().optional(),
  path: z.string().optional(),
  format: z.enum(FILE_FORMATS).optional(),
  compression: z.enum(['none', 'gzip', 'zstd', 'snappy']).optional(),
  csv: csvOptionsSchema.optional(),
  table: z.string().optional(),
  mode: z.enum(LOAD_MODES).optional().describe('Default append.'),
  keys: z.array(z.string()).min(1).optional().describe('Primary key columns, needed by merge.'),
  create: z.boolean().optional().describe('Create the table when missing. Default true.'),
  schema_evolution: z.enum(['evolve', 'freeze', 'discard_columns']).optional(),
  state_schema: z
    .string()
    .min(1)
    .optional()
    .describe('Schema of the _sluice_state watermark table (databases).'),
  partition_by: z.array(z.string()).optional().describe('Hive-style partition columns (files).'),
  batch_size: z.number().int().min(1).optional(),
  on_error: errorPolicySchema
    .optional()
    .describe(
      'Rows the database refuses (constraints, values out of range): fail (default), skip, or quarantine them while the other rows load.',
    ),
  max_bad_rows: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('More refused rows than this fail the load. Default 10000 for databases.'),
  http: httpDestinationSchema.optional().describe('POST batches (connection of type http).'),
  influxdb: influxdbDestinationSchema
    .optional()
    .describe('Measurement, tags, fields and time (connection of type influxdb).'),
})

export type SourceSpec = z.infer<typeof sourceSchema>
export type DestinationSpec = z.infer<typeof destinationSchema>
