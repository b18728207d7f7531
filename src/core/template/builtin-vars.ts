import { Cron } from 'croner'

export interface RunContextInput {
  readonly runId?: string
  /** The logical date of the run (for scheduled runs, the interval end). Default: now. */
  readonly logicalDate?: Date
  readonly cron?: string
  readonly timezone?: string
  /** A scheduled run's data interval [start, end); when given it is used as is. */
  readonly dataInterval?: { readonly start: Date; readonly end: Date }
}

export interface BuiltinVars {
  readonly run_id: string
  readonly logical_date: string
  readonly today: string
  readonly data_interval_start: string
  readonly data_interval_end: string
  readonly pipeline: string
}

export const BUILTIN_NAMES = [
  'run_id',
  'logical_date',
  'today',
  'data_interval_start',
  'data_interval_end',
  'pipeline',
] as const

/**
 * The variables every template sees besides `params`. A scheduled or backfill run passes its data
 * interval, and its logical date is the interval start (as in Airflow); a manual run's interval
 * ends now and starts at the previous cron fire (or a day before).
 */
export function builtinVars(pipeline: string, input: RunContextInput = {}): BuiltinVars {
  if (input.dataInterval !== undefined) {
    const { start, end } = input.dataInterval
    const logical = input.logicalDate ?? start
    return {
      run_id: input.runId ?? 'manual',
      logical_date: logical.toISOString(),
      today: localDate(logical, input.timezone),
      data_interval_start: start.toISOString(),
      data_interval_end: end.toISOString(),
      pipeline,
    }
  }
  const end = input.logicalDate ?? new Date()
  let start = new Date(end.getTime() - 86_400_000)
  if (input.cron !== undefined) {
    try {
      const prev = new Cron(input.cron, { timezone: input.timezone, paused: true }).previousRuns(
        1,
        end,
      )[0]
      if (prev) start = prev
    } catch {
      // an invalid cron is reported by validation; keep the one-day default here
    }
  }
  return {
    run_id: input.runId ?? 'manual',
    logical_date: end.toISOString(),
    today: localDate(end, input.timezone),
    data_interval_start: start.toISOString(),
    data_interval_end: end.toISOString(),
    pipeline,
  }
}

function localDate(d: Date, timezone: string | undefined): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: timezone ?? 'UTC' }).format(d)
  } catch {
    return d.toISOString().slice(0, 10)
  }
}
