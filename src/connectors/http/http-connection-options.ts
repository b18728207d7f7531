import { z } from 'zod'
import { durationSchema } from '../../core/spec/duration-schema.js'

const bearer = z.strictObject({
  type: z.literal('bearer'),
  token: z.string().min(1).describe('Sent as `Authorization: Bearer TOKEN`; use ${env:NAME}.'),
})

const basic = z.strictObject({
  type: z.literal('basic'),
  username: z.string(),
  password: z.string().describe('Use ${env:NAME}.'),
})

const apiKey = z.strictObject({
  type: z.literal('api_key'),
  key: z.string().min(1).describe('The key; use ${env:NAME}.'),
  name: z.string().min(1).optional().describe('Header or query parameter name. Default X-API-Key.'),
  in: z.enum(['header', 'query']).optional().describe('Default header.'),
})

const oauth2 = z.strictObject({
  type: z.literal('oauth2_client_credentials'),
  token_url: z.string().min(1).describe('Token endpoint (absolute URL).'),
  client_id: z.string().min(1),
  client_secret: z.string().min(1).describe('Use ${env:NAME}.'),
  scope: z.string().optional(),
  audience: z.string().optional(),
  client_auth: z
    .enum(['basic', 'body'])
    .optional()
    .describe(
      'Client credentials in a Basic header (RFC 6749) or in the form body. Default basic.',
    ),
  refresh_before: durationSchema
    .optional()
    .describe(
      'Get a new token this long before the old one expires. Default 60s (at most half its life).',
    ),
})

export const httpAuthSchema = z.discriminatedUnion('type', [bearer, basic, apiKey, oauth2])
export type HttpAuth = z.infer<typeof httpAuthSchema>

/** Options of a `{ type: http, url: … }` connection (beside `url:` and `type:`). */
export const httpConnectionOptions = z.strictObject({
  auth: httpAuthSchema.optional().describe('bearer, basic, api_key or oauth2_client_credentials.'),
  headers: z.record(z.string(), z.string()).optional().describe('Sent with every request.'),
  rate_limit: z
    .union([
      z.number().positive(),
      z.strictObject({
        requests_per_second: z.number().positive(),
        burst: z.number().int().min(1).optional().describe('Requests allowed at once. Default 1.'),
      }),
    ])
    .optional()
    .describe('Requests per second, shared by every task on this connection in the process.'),
  timeout: durationSchema.optional().describe('Per request, body included. Default 30s.'),
  retries: z
    .strictObject({
      max_attempts: z.number().int().min(1).max(100).optional().describe('Default 5.'),
      initial_delay: durationSchema.optional().describe('Default 500ms.'),
      max_delay: durationSchema.optional().describe('Default 30s.'),
      max_retry_after: durationSchema
        .optional()
        .describe('Longest Retry-After waited in the request; longer fails retryably. Default 5m.'),
    })
    .optional()
    .describe('Retries of 429, 5xx and network errors within one request.'),
  pool: z.number().int().min(1).optional().describe('Ignored by http.'),
})

export type HttpConnectionOptions = z.infer<typeof httpConnectionOptions>
