import { z } from 'zod'
import { parseDuration } from '../duration.js'
import { DAY_MS, durationSchema } from './duration-schema.js'
import { coded } from './sluice-issue.js'

export const MAX_ATTEMPTS_LIMIT = 100

/**
 * Retry policy. `max_attempts` counts the first try. Delay before attempt n+1 is
 * min(max_delay, initial_delay × 2^(n−1)) with full jitter.
 */
export const retryPolicySchema = z
  .strictObject({
    max_attempts: z
      .number()
      .int()
      .refine(
        (n) => n >= 1 && n <= MAX_ATTEMPTS_LIMIT,
        coded('E_RETRIES_RANGE', `max_attempts must be between 1 and ${MAX_ATTEMPTS_LIMIT}`),
      )
      .optional()
      .describe('Attempts in all, counting the first try. Default 3.'),
    initial_delay: durationSchema
      .optional()
      .describe('Delay before the second attempt. Default 1s.'),
    max_delay: durationSchema.optional().describe('Upper bound of any delay. Default 5m.'),
    jitter: z.boolean().optional().describe('Full jitter on each delay. Default true.'),
  })
  .refine(
    (r) => {
      const init = r.initial_delay === undefined ? 0 : (parseDuration(r.initial_delay) ?? 0)
      const max = r.max_delay === undefined ? Infinity : (parseDuration(r.max_delay) ?? Infinity)
      return init <= max && init <= DAY_MS
    },
    coded('E_RETRIES_RANGE', 'initial_delay must be at most max_delay and at most 1d'),
  )

/** A retry policy, or just the number of attempts. */
export const retriesSchema = z.union([
  z
    .number()
    .int()
    .refine(
      (n) => n >= 1 && n <= MAX_ATTEMPTS_LIMIT,
      coded(
        'E_RETRIES_RANGE',
        `retries (attempts in all) must be between 1 and ${MAX_ATTEMPTS_LIMIT}`,
      ),
    ),
  retryPolicySchema,
])

export type RetryPolicySpec = z.infer<typeof retryPolicySchema>
export type RetriesSpec = z.infer<typeof retriesSchema>
