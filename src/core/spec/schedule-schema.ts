import { Cron } from 'croner'
import { z } from 'zod'
import { coded } from './sluice-issue.js'

/** Checks a cron expression (5 or 6 fields, or @daily-style nicknames) and a time zone. */
export function cronProblem(expr: string, timezone?: string): string | undefined {
  try {
    new Cron(expr, { timezone, paused: true })
    return undefined
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

const cronSchema = z
  .string()
  .refine(
    (c) => cronProblem(c) === undefined,
    coded('E_CRON_INVALID', 'invalid cron expression; write 5 fields like "0 2 * * *" or @daily'),
  )

export const scheduleSchema = z.union([
  cronSchema,
  z.strictObject({
    cron: cronSchema,
    timezone: z
      .string()
      .refine(
        isValidTimezone,
        coded('E_CRON_INVALID', 'unknown time zone; use an IANA name like Europe/Berlin'),
      )
      .optional()
      .describe('IANA time zone. Default UTC.'),
    overlap: z
      .enum(['skip', 'queue', 'allow'])
      .optional()
      .describe('What to do when a run is still going at the next tick. Default skip.'),
    catchup: z.boolean().optional().describe('Run missed intervals after downtime. Default false.'),
    enabled: z.boolean().optional(),
  }),
])

export type ScheduleSpec = z.infer<typeof scheduleSchema>
