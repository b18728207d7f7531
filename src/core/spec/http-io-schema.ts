import { z } from 'zod'
import { durationSchema } from './duration-schema.js'

const scalar = z.union([z.string(), z.number(), z.boolean()])

const offsetPagination = z.strictObject({
  type: z.literal('offset').describe('`?offset=0&limit=100`, then offset 100, 200, …'),
  offset_param: z
    .string()
    .min(1)
    .optional()
    .describe('Query parameter of the offset. Default offset.'),
  limit_param: z
    .string()
    .min(1)
    .optional()
    .describe('Query parameter of the page size. Default limit.'),
  limit: z.number().int().min(1).optional().describe('Records per page. Default 100.'),
  start: z.number().int().min(0).optional().describe('First offset. Default 0.'),
})

const pagePagination = z.strictObject({
  type: z.literal('page').describe('`?page=1`, then page 2, 3, …'),
  page_param: z
    .string()
    .min(1)
    .optional()
    .describe('Query parameter of the page number. Default page.'),
  start: z.number().int().min(0).optional().describe('First page number. Default 1.'),
  size_param: z
    .string()
    .min(1)
    .optional()
    .describe('Query parameter of the page size (sent only with `size`).'),
  size: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Records per page; a shorter page is the last one. Without it, an empty page ends.'),
})

const cursorPagination = z.strictObject({
  type: z
    .literal('cursor')
    .describe('The next cursor comes in the body; sent back as a parameter.'),
  cursor_path: z
    .string()
    .min(1)
    .describe(
      'JSON path of the next cursor in the body, e.g. `$.meta.next_cursor`; null/absent ends.',
    ),
  cursor_param: z
    .string()
    .min(1)
    .optional()
    .describe('Query parameter carrying it. Default cursor.'),
})

const linkHeaderPagination = z.strictObject({
  type: z.literal('link_header').describe('Follow the `Link: <…>; rel="next"` header (RFC 8288).'),
})

const nextUrlPagination = z.strictObject({
  type: z.literal('next_url').describe('The body holds the URL of the next page.'),
  next_url_path: z
    .string()
    .min(1)
    .describe('JSON path of the next URL, e.g. `$.links.next`; null/absent ends; may be relative.'),
})

export const httpPaginationSchema = z.discriminatedUnion('type', [
  offsetPagination,
  pagePagination,
  cursorPagination,
  linkHeaderPagination,
  nextUrlPagination,
])

/** `source.http:` — an HTTP/REST request, its pagination and its records (the http connector). */
export const httpSourceSchema = z.strictObject({
  path: z
    .string()
    .optional()
    .describe('Path appended to the connection URL (`/v1/orders`), or an absolute URL.'),
  method: z.enum(['GET', 'POST']).optional().describe('Default GET.'),
  params: z
    .record(z.string(), scalar)
    .optional()
    .describe('Query parameters (templates are rendered before the run).'),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe('Request headers, added to the connection headers.'),
  body: z.unknown().optional().describe('JSON body of a POST request.'),
  records: z
    .string()
    .min(1)
    .optional()
    .describe(
      'JSON path of the records in the body: `$.data.items`, `$.results[*]`, `data`. Default `$` (an array body, or one object = one record).',
    ),
  pagination: httpPaginationSchema
    .optional()
    .describe(
      'How to get the next page: offset, page, cursor, link_header or next_url. Default: one request.',
    ),
  max_pages: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Fail (E_HTTP_PAGINATION_LOOP) when there are more pages than this. Default 100000.'),
  incremental_param: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Query parameter that carries the last watermark (the largest `incremental.column` seen), e.g. `updated_since`.',
    ),
  checkpoint: z
    .boolean()
    .optional()
    .describe(
      'Save the next page after each page, so a retry or resume of a staged extract starts there, keeping the rows already read. Default true.',
    ),
  timeout: durationSchema.optional().describe('Per request; overrides the connection timeout.'),
})

/** `destination.http:` — POST batches to an HTTP endpoint (the http connector). */
export const httpDestinationSchema = z.strictObject({
  path: z.string().optional().describe('Path appended to the connection URL, or an absolute URL.'),
  method: z.enum(['POST', 'PUT', 'PATCH']).optional().describe('Default POST.'),
  headers: z.record(z.string(), z.string()).optional().describe('Extra request headers.'),
  format: z
    .enum(['json', 'jsonl'])
    .optional()
    .describe('`json`: a JSON array of objects; `jsonl`: one object per line. Default json.'),
  envelope: z
    .string()
    .min(1)
    .optional()
    .describe(
      'With format json: wrap the array in an object under this key (`{"records": [...]}`).',
    ),
  batch_size: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .optional()
    .describe('Rows per request. Default 500.'),
  idempotency_header: z
    .union([z.string().min(1), z.literal(false)])
    .optional()
    .describe(
      'Header carrying the batch idempotency key, or false for none. Default Idempotency-Key.',
    ),
  timeout: durationSchema.optional().describe('Per request; overrides the connection timeout.'),
})

export type HttpSourceSpec = z.infer<typeof httpSourceSchema>
export type HttpDestinationSpec = z.infer<typeof httpDestinationSchema>
export type HttpPaginationSpec = z.infer<typeof httpPaginationSchema>
