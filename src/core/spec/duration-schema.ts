import { z } from 'zod'
import { parseDuration } from '../duration.js'
import { coded } from './sluice-issue.js'

/** `500ms | 30s | 5m | 2h | 1d`, ISO-8601 `PT2H`, or a number of seconds. */
export const durationSchema = z
  .union([z.string(), z.number()])
  .refine(
    (v) => parseDuration(v) !== undefined,
    coded('E_DURATION_INVALID', 'not a duration; write e.g. 500ms, 30s, 5m, 2h, 1d or PT2H'),
  )
  .describe('A duration: 500ms, 30s, 5m, 2h, 1d, 1h30m, ISO-8601 (PT2H) or a number of seconds.')

export type Duration = z.infer<typeof durationSchema>

export const DAY_MS = 86_400_000
export const MAX_TIMEOUT_MS = 7 * DAY_MS

/** A timeout: more than 0 and at most 7 days. */
export const timeoutSchema = durationSchema.refine(
  (v) => {
    const ms = parseDuration(v)
    return ms === undefined || (ms > 0 && ms <= MAX_TIMEOUT_MS)
  },
  coded('E_TIMEOUT_RANGE', 'timeout must be more than 0 and at most 7d'),
)
