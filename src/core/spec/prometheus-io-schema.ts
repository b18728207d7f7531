import { z } from 'zod'

/** `source.prometheus:` — a PromQL range or instant query, or a series/metadata look-up. */
export const prometheusSourceSchema = z.looseObject({})
