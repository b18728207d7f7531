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
      .enum(['allow', 'skip', 'queue', 'cancel_previous'])
      .optional()
      .describe(
        'When a run of this pipeline is still active at the next fire: allow (start another), ' +
          'skip (record the skip), queue (start when the active run ends), cancel_previous ' +
          '(cancel it, then start). Default skip.',
      ),
    catchup: z
      .enum(['none', 'latest', 'all'])
      .optional()
      .describe(
        'Fires missed while nothing was running (downtime): none (skip them), latest (run the ' +
          'most recent one), all (run each, oldest first, at most max_catchup). Default none.',
      ),
    max_catchup: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe('With catchup: all, run at most this many missed fires (the newest). Default 10.'),
    params: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Parameters for scheduled runs (override the pipeline defaults).'),
    enabled: z
      .boolean()
      .optional()
      .describe('false keeps the schedule in the file but never fires it. Default true.'),
  }),
])

export type ScheduleSpec = z.infer<typeof scheduleSchema>
