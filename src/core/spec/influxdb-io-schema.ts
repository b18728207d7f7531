import { z } from 'zod'

export const INFLUXDB_PRECISIONS = ['ns', 'us', 'ms', 's'] as const

const columnName = z.string().min(1)

/** `source.influxdb:` — an InfluxQL (v1) or Flux (v2) query. */
export const influxdbSourceSchema = z.strictObject({
  query: z
    .string()
    .min(1)
    .describe(
      'One InfluxQL SELECT (v1, /query) or a Flux script (v2, /api/v2/query). With incremental, `$since` stands for the last watermark; without it an InfluxQL query gets `time > <watermark>` added to its WHERE clause.',
    ),
  language: z
    .enum(['influxql', 'flux'])
    .optional()
    .describe('Default influxql on a version 1 connection, flux on version 2.'),
  chunk_size: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('InfluxQL: points per chunk of the chunked response. Default the batch size.'),
})

/** `destination.influxdb:` — how columns map to measurement, tags, fields and time. */
export const influxdbDestinationSchema = z.strictObject({
  measurement: z
    .string()
    .min(1)
    .optional()
    .describe('Fixed measurement name for every point (or use measurement_column).'),
  measurement_column: columnName
    .optional()
    .describe('Column whose value is the measurement of each point (rows with NULL are skipped).'),
  tags: z
    .array(columnName)
    .optional()
    .describe(
      'Columns written as tags (string values; NULL or empty omits the tag). Default none.',
    ),
  fields: z
    .array(columnName)
    .optional()
    .describe(
      'Columns written as fields. Default: every column that is not measurement, tag or time.',
    ),
  time: columnName
    .optional()
    .describe(
      'Column holding the point time (timestamp, timestamptz, date, or an integer in `precision` units). Default the column named `time` when there is one, else the server time.',
    ),
  precision: z
    .enum(INFLUXDB_PRECISIONS)
    .optional()
    .describe(
      'Precision of the written timestamps: ns (default), us, ms or s (finer digits are cut).',
    ),
  batch_size: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .describe('Points per write request. Default 5000.'),
  gzip: z
    .boolean()
    .optional()
    .describe('Send request bodies with Content-Encoding: gzip. Default false.'),
  tag_cardinality_warn: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'Log a warning when one tag key takes more distinct values than this in a load. Default 10000.',
    ),
  max_in_flight: z
    .number()
    .int()
    .min(1)
    .max(8)
    .optional()
    .describe('Write requests in flight at once. Default 2.'),
})

export type InfluxdbSourceSpec = z.infer<typeof influxdbSourceSchema>
export type InfluxdbDestinationSpec = z.infer<typeof influxdbDestinationSchema>
