import { z } from 'zod'
import { durationSchema } from '../../core/spec/duration-schema.js'

/** An InfluxDB duration literal: `30d`, `1h30m`, `52w`, or `INF`. */
const influxDuration = z
  .string()
  .regex(
    /^(INF|inf|(\d+(ns|u|µ|ms|s|m|h|d|w))+)$/,
    'an InfluxDB duration such as 30d, 12h, 1h30m or INF',
  )

/** Options of a `{ type: influxdb, url: http://host:8086 }` connection (beside `url:` and `type:`). */
export const influxdbConnectionOptions = z.strictObject({
  version: z
    .union([z.literal(1), z.literal(2)])
    .optional()
    .describe('1: InfluxDB 1.x API (/write, /query). 2: v2 API (/api/v2/write, Flux). Default 1.'),
  database: z.string().min(1).optional().describe('v1: the database (required for version 1).'),
  org: z.string().min(1).optional().describe('v2: the organization (required for version 2).'),
  bucket: z.string().min(1).optional().describe('v2: the bucket (required for version 2).'),
  token: z.string().min(1).optional().describe('`Authorization: Token …`; use ${env:NAME}.'),
  username: z.string().optional().describe('v1: basic auth user.'),
  password: z.string().optional().describe('v1: basic auth password; use ${env:NAME}.'),
  retention_policy: z
    .string()
    .min(1)
    .optional()
    .describe(
      'v1: write to and read from this retention policy (`rp=`). Default the database default (or retention.name).',
    ),
  create: z
    .boolean()
    .optional()
    .describe('Create the database (v1) or bucket (v2) when missing before a load. Default true.'),
  retention: z
    .strictObject({
      name: z.string().min(1).optional().describe('v1: retention policy name. Default sluice.'),
      duration: influxDuration.describe('How long points are kept: 30d, 52w, INF.'),
      replication: z.number().int().min(1).optional().describe('v1: REPLICATION. Default 1.'),
      shard_duration: influxDuration.optional().describe('v1: SHARD DURATION.'),
      default: z.boolean().optional().describe('v1: make it the DEFAULT policy. Default false.'),
    })
    .optional()
    .describe('Create or alter this retention policy (v1) / bucket retention (v2) before a load.'),
  timeout: durationSchema.optional().describe('Per request. Default 30s.'),
  retries: z
    .strictObject({
      max_attempts: z.number().int().min(1).max(100).optional().describe('Default 5.'),
      initial_delay: durationSchema.optional().describe('Default 500ms.'),
      max_delay: durationSchema
        .optional()
        .describe('Default 30s (a longer Retry-After is still honoured, up to 5 minutes).'),
    })
    .optional()
    .describe('Retries on 429, 503 (honouring Retry-After), other 5xx and network errors.'),
  pool: z.number().int().min(1).optional().describe('Ignored.'),
})

export type InfluxdbConnectionOptions = z.infer<typeof influxdbConnectionOptions>
