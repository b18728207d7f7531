import { z } from 'zod'

/** `source.http:` — an HTTP/REST request, its pagination and its records (the http connector). */
export const httpSourceSchema = z.looseObject({})

/** `destination.http:` — POST batches to an HTTP endpoint (the http connector). */
export const httpDestinationSchema = z.looseObject({})
