import { z } from 'zod'
import { durationSchema } from './duration-schema.js'
import { coded } from './sluice-issue.js'

export const PROMETHEUS_QUERY_TYPES = ['range', 'instant', 'series', 'metadata'] as const

/** A point in time: RFC 3339, unix seconds, `now`, or `now-1h` / `now+5m`. */
const timeSchema = z
  .union([z.string().min(1), z.number()])
  .describe('RFC 3339 (2026-01-02T03:04:05Z), unix seconds (1767323045), `now`, or `now-1h`.')

/** `source.prometheus:` — a PromQL range or instant query, or a series/metadata look-up. */
export const prometheusSourceSchema = z
  .strictObject({
    type: z
      .enum(PROMETHEUS_QUERY_TYPES)
      .optional()
      .describe(
        'range (query_range, default), instant (query at one time), series (/api/v1/series) or metadata (/api/v1/metadata).',
      ),
    query: z.string().min(1).optional().describe('PromQL expression (range and instant).'),
    queries: z
      .record(z.string().min(1), z.string().min(1))
      .refine((r) => Object.keys(r).length > 0, { message: 'needs at least one query' })
      .optional()
      .describe(
        'Several PromQL expressions by name (range and instant), read into one table; each row names its query in the `query_column`, and a series without __name__ gets the name as its `metric`.',
      ),
    query_column: z
      .string()
      .min(1)
      .optional()
      .describe('With queries: the column holding the query name of each row. Default `query`.'),
    name: z
      .string()
      .min(1)
      .optional()
      .describe('`metric` of result series without __name__ (rate(), sums). Default the query.'),
    start: timeSchema
      .optional()
      .describe(
        'range, series: first evaluation time (RFC 3339, unix seconds, now-1h). Required for range unless incremental.',
      ),
    end: timeSchema.optional().describe('range, series: last evaluation time. Default now.'),
    step: durationSchema.optional().describe('range: resolution (15s, 1m). Required for range.'),
    time: timeSchema.optional().describe('instant: evaluation time. Default now.'),
    match: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('series: series selectors (match[]), e.g. [\'up{job="prometheus"}\'].'),
    metric: z.string().min(1).optional().describe('metadata: only this metric. Default all.'),
    labels: z
      .union([z.enum(['columns', 'json']), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe(
        'Labels as one column each (columns, default: every label found), as one `labels` JSON map (json), or a list of label names: exactly these columns, NULL where a series lacks one, known before anything is read (an empty result keeps them; others are left out).',
      ),
    non_finite: z
      .enum(['null', 'drop', 'keep'])
      .optional()
      .describe(
        'NaN/+Inf/-Inf values: null (default), drop the sample, or keep them as float64 NaN/Infinity.',
      ),
    chunk_points: z
      .number()
      .int()
      .min(1)
      .max(11_000)
      .optional()
      .describe('range: points per series per request (Prometheus allows 11,000). Default 10000.'),
    timeout: durationSchema
      .optional()
      .describe('Query evaluation timeout sent to Prometheus (its `timeout` parameter).'),
  })
  .superRefine((v, ctx) => {
    const type = v.type ?? 'range'
    const need = (key: string, ok: boolean) => {
      if (!ok)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          ...coded('E_SCHEMA_REQUIRED', `a prometheus ${type} source needs ${key}:`),
        })
    }
    if (type === 'range' || type === 'instant')
      need('query', (v.query !== undefined) !== (v.queries !== undefined))
    if (v.queries === undefined && v.query_column !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['query_column'],
        ...coded('E_SCHEMA_VALUE', 'query_column: goes with queries:'),
      })
    if (type === 'range') need('step', v.step !== undefined)
    if (type === 'series') need('match', v.match !== undefined)
  })

export type PrometheusSourceSpec = z.infer<typeof prometheusSourceSchema>
