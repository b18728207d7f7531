import { z } from 'zod'
import { parseDuration } from '../core/duration.js'
import { durationSchema } from '../core/spec/duration-schema.js'
import { SluiceError } from '../core/sluice-error.js'

export const ALERT_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number]
export const ALERT_KINDS = [
  'run_failed',
  'retries_exhausted',
  'sla',
  'schedule_late',
  'freshness',
  'check_failed',
] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

export const alertChannelSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    url: z.url().describe('Receives the alert as JSON (POST).'),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  z.strictObject({
    type: z.literal('slack'),
    url: z.url().describe('A Slack-compatible incoming webhook: receives `{ "text": … }`.'),
  }),
  z.strictObject({
    type: z.literal('command'),
    command: z
      .string()
      .min(1)
      .describe('Shell line; the alert JSON on stdin, SLUICE_ALERT_* env vars.'),
    timeout: durationSchema.optional().describe('Default 30s.'),
  }),
])

export const alertRuleSchema = z.strictObject({
  name: z.string().regex(NAME, 'rule names are letters, digits, _, . and -'),
  on: z.enum(ALERT_KINDS),
  severity: z.enum(ALERT_SEVERITIES).optional().describe('Default by kind.'),
  pipeline: z.string().optional().describe('Pipeline name or glob (`orders_*`). Default all.'),
  task: z.string().optional().describe('Task id or glob (retries_exhausted, sla, check_failed).'),
  dataset: z.string().optional().describe('Dataset name or glob (freshness).'),
  check: z.string().optional().describe('Check name or glob (check_failed).'),
  sla: durationSchema.optional().describe('Longest allowed run (or task) duration (on: sla).'),
  grace: durationSchema
    .optional()
    .describe('How late a scheduled run may start (schedule_late). Default 5m.'),
  max_age: durationSchema.optional().describe('Oldest allowed newest value (freshness).'),
  channels: z.array(z.string()).min(1),
  quiet_period: durationSchema
    .optional()
    .describe("Send an open incident again only after this. Default: the config's, else 1h."),
})

export const alertConfigSchema = z.strictObject({
  quiet_period: durationSchema.optional(),
  channels: z.record(z.string().regex(NAME), alertChannelSchema),
  rules: z.array(alertRuleSchema),
})

export type AlertChannelConfig = z.infer<typeof alertChannelSchema>

/** A rule with its durations in milliseconds. */
export interface AlertRule {
  readonly name: string
  readonly on: AlertKind
  readonly severity: AlertSeverity
  readonly pipeline?: string
  readonly task?: string
  readonly dataset?: string
  readonly check?: string
  readonly slaMs?: number
  readonly graceMs: number
  readonly maxAgeMs?: number
  readonly channels: readonly string[]
  readonly quietPeriodMs: number
}

export interface AlertConfig {
  readonly channels: Readonly<Record<string, AlertChannelConfig>>
  readonly rules: readonly AlertRule[]
}

const DEFAULT_SEVERITY: Record<AlertKind, AlertSeverity> = {
  run_failed: 'high',
  retries_exhausted: 'high',
  sla: 'medium',
  schedule_late: 'medium',
  freshness: 'high',
  check_failed: 'high',
}
const HOUR = 3_600_000

/**
 * Checks an `alerts:` block (already parsed from YAML, `${env:…}` substituted) and returns it
 * with durations in ms and severities filled in. Every problem is reported in one
 * E_SCHEMA_VALUE error: unknown keys, a rule naming a channel that is not defined, `on: sla`
 * without `sla:`, `on: freshness` without `max_age:`.
 */
export function parseAlertConfig(raw: unknown): AlertConfig {
  const parsed = alertConfigSchema.safeParse(raw)
  const problems: string[] = []
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(`alerts.${i.path.join('.')}: ${i.message}`)
  } else {
    parsed.data.rules.forEach((r, i) => {
      for (const c of r.channels) {
        if (!Object.hasOwn(parsed.data.channels, c))
          problems.push(`alerts.rules.${i}.channels: no channel named "${c}" under alerts.channels`)
      }
      if (r.on === 'sla' && r.sla === undefined)
        problems.push(`alerts.rules.${i}: on: sla needs sla:`)
      if (r.on === 'freshness' && r.max_age === undefined)
        problems.push(`alerts.rules.${i}: on: freshness needs max_age:`)
    })
  }
  if (problems.length > 0 || !parsed.success) {
    throw new SluiceError('E_SCHEMA_VALUE', `invalid alert configuration: ${problems.join('; ')}`, {
      hint: 'see the alerts section of the docs for the rule and channel keys',
    })
  }
  const cfg = parsed.data
  const ms = (d: string | number | undefined) => (d === undefined ? undefined : parseDuration(d))
  const quiet = ms(cfg.quiet_period) ?? HOUR
  return {
    channels: cfg.channels,
    rules: cfg.rules.map((r) => ({
      name: r.name,
      on: r.on,
      severity: r.severity ?? DEFAULT_SEVERITY[r.on],
      ...(r.pipeline !== undefined && { pipeline: r.pipeline }),
      ...(r.task !== undefined && { task: r.task }),
      ...(r.dataset !== undefined && { dataset: r.dataset }),
      ...(r.check !== undefined && { check: r.check }),
      ...(r.sla !== undefined && { slaMs: ms(r.sla) }),
      graceMs: ms(r.grace) ?? 5 * 60_000,
      ...(r.max_age !== undefined && { maxAgeMs: ms(r.max_age) }),
      channels: r.channels,
      quietPeriodMs: ms(r.quiet_period) ?? quiet,
    })),
  }
}

type Time = Date | string | number
type ErrorLike = { readonly code: string; readonly message: string }

/** What the engine, scheduler and checks report; each is evaluated against every rule. */
export type AlertSignal =
  | {
      /** A run changed state (finished), or a periodic snapshot of a RUNNING run (for sla). */
      readonly kind: 'run'
      readonly pipeline: string
      readonly runId: string
      readonly state: string
      readonly at: Time
      readonly startedAt?: Time | null
      readonly durationMs?: number
      readonly error?: ErrorLike
    }
  | {
      /** A task attempt ended (or a RUNNING snapshot, for sla). `attempt` starts at 0. */
      readonly kind: 'task'
      readonly pipeline: string
      readonly runId: string
      readonly task: string
      readonly state: string
      readonly attempt: number
      readonly maxAttempts?: number
      readonly deadLettered?: boolean
      readonly at: Time
      readonly startedAt?: Time | null
      readonly durationMs?: number
      readonly error?: ErrorLike
    }
  | {
      /** A schedule was due at `dueAt`; `startedAt` null while its run has not started. */
      readonly kind: 'schedule'
      readonly pipeline: string
      readonly dueAt: Time
      readonly startedAt: Time | null
      readonly at: Time
    }
  | {
      /** The newest value of a dataset (e.g. max(updated_at)); null when it has no rows. */
      readonly kind: 'freshness'
      readonly pipeline: string
      readonly dataset: string
      readonly newest: Time | null
      readonly at: Time
    }
  | {
      readonly kind: 'check'
      readonly pipeline: string
      readonly runId: string
      readonly task: string
      readonly name: string
      readonly status: 'pass' | 'fail'
      readonly severity?: 'error' | 'warn'
      readonly message: string
      readonly at: Time
    }

/** One problem worth an alert. `key` identifies the incident across signals (dedupe). */
export interface Incident {
  readonly key: string
  readonly rule: string
  readonly kind: AlertKind
  readonly severity: AlertSeverity
  readonly pipeline: string
  readonly runId?: string
  readonly task?: string
  readonly title: string
  readonly message: string
  /** ISO time of the signal. */
  readonly at: string
  readonly details: Readonly<Record<string, string | number | boolean | null>>
  readonly channels: readonly string[]
  readonly quietPeriodMs: number
}

export interface AlertEvaluation {
  readonly incidents: readonly Incident[]
  /** Keys of incidents this signal shows to be over (a later success, a fresh dataset, …). */
  readonly resolved: readonly string[]
}

const ms = (t: Time): number =>
  t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t)
const iso = (t: Time): string => new Date(ms(t)).toISOString()

/** `orders_*` → /^orders_.*$/; no pattern matches everything. */
function matches(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true
  if (value === undefined) return false
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  )
  return re.test(value)
}

function fmt(msValue: number): string {
  const s = Math.round(msValue / 1000)
  if (s < 120) return `${s}s`
  if (s < 7200) return `${Math.round(s / 60)}m`
  return `${(s / 3600).toFixed(1)}h`
}

/**
 * Evaluates the rules against one signal: the incidents it raises and the incident keys it
 * resolves. Pure (the dispatcher does dedupe and quiet periods). Keys: `rule|pipeline` for
 * run_failed, sla (run), schedule_late; `rule|pipeline|task` for retries_exhausted and task sla;
 * `rule|pipeline|dataset` for freshness; `rule|pipeline|task|check` for check_failed.
 */
export function evaluateAlertRules(
  rules: readonly AlertRule[],
  signal: AlertSignal,
): AlertEvaluation {
  const incidents: Incident[] = []
  const resolved: string[] = []
  const at = iso(signal.at)
  for (const rule of rules) {
    if (!matches(rule.pipeline, signal.pipeline)) continue
    const raise = (
      key: string,
      title: string,
      message: string,
      details: Incident['details'],
      extra: { runId?: string; task?: string; severity?: AlertSeverity } = {},
    ) =>
      incidents.push({
        key,
        rule: rule.name,
        kind: rule.on,
        severity: extra.severity ?? rule.severity,
        pipeline: signal.pipeline,
        ...(extra.runId !== undefined && { runId: extra.runId }),
        ...(extra.task !== undefined && { task: extra.task }),
        title,
        message,
        at,
        details,
        channels: rule.channels,
        quietPeriodMs: rule.quietPeriodMs,
      })
    const base = `${rule.name}|${signal.pipeline}`
    switch (rule.on) {
      case 'run_failed':
        if (signal.kind !== 'run') break
        if (signal.state === 'FAILED') {
          raise(
            base,
            `Pipeline ${signal.pipeline} failed`,
            `Run ${signal.runId} failed${signal.error ? `: ${signal.error.code} ${signal.error.message}` : ''}.`,
            { state: signal.state, error_code: signal.error?.code ?? null },
            { runId: signal.runId },
          )
        } else if (signal.state === 'SUCCESS') resolved.push(base)
        break
      case 'retries_exhausted': {
        if (signal.kind !== 'task' || !matches(rule.task, signal.task)) break
        const key = `${base}|${signal.task}`
        const used = signal.attempt + 1
        const exhausted =
          signal.deadLettered === true ||
          (signal.maxAttempts !== undefined && used >= signal.maxAttempts)
        if (signal.state === 'FAILED' && exhausted) {
          raise(
            key,
            `Task ${signal.pipeline}.${signal.task} failed after ${used} attempt${used === 1 ? '' : 's'}`,
            `Run ${signal.runId}: ${signal.error ? `${signal.error.code} ${signal.error.message}` : 'no error recorded'}.`,
            {
              attempts: used,
              max_attempts: signal.maxAttempts ?? null,
              dead_lettered: signal.deadLettered === true,
              error_code: signal.error?.code ?? null,
            },
            { runId: signal.runId, task: signal.task },
          )
        } else if (signal.state === 'SUCCESS') resolved.push(key)
        break
      }
      case 'sla': {
        if (signal.kind !== 'run' && signal.kind !== 'task') break
        // a rule with task: watches tasks; without, whole runs
        if (
          rule.task !== undefined
            ? signal.kind !== 'task' || !matches(rule.task, signal.task)
            : signal.kind !== 'run'
        )
          break
        const key = signal.kind === 'task' ? `${base}|${signal.task}` : base
        const took =
          signal.durationMs ??
          (signal.startedAt !== undefined && signal.startedAt !== null
            ? ms(signal.at) - ms(signal.startedAt)
            : undefined)
        if (took === undefined || rule.slaMs === undefined) break
        const what =
          signal.kind === 'task'
            ? `Task ${signal.pipeline}.${signal.task}`
            : `Pipeline ${signal.pipeline}`
        if (took > rule.slaMs) {
          raise(
            key,
            `${what} over its SLA`,
            `Run ${signal.runId} ${signal.state === 'RUNNING' ? 'has been running for' : 'took'} ${fmt(took)}; the SLA is ${fmt(rule.slaMs)}.`,
            { duration_ms: took, sla_ms: rule.slaMs, state: signal.state },
            { runId: signal.runId, ...(signal.kind === 'task' && { task: signal.task }) },
          )
        } else if (signal.state === 'SUCCESS') resolved.push(key)
        break
      }
      case 'schedule_late': {
        if (signal.kind !== 'schedule') break
        const lag = ms(signal.startedAt ?? signal.at) - ms(signal.dueAt)
        if (lag > rule.graceMs) {
          raise(
            base,
            `Schedule of ${signal.pipeline} is late`,
            `The run due at ${iso(signal.dueAt)} ${signal.startedAt === null ? 'has not started' : 'started'} ${fmt(lag)} late (grace ${fmt(rule.graceMs)}).`,
            {
              due_at: iso(signal.dueAt),
              lag_ms: lag,
              grace_ms: rule.graceMs,
              started: signal.startedAt !== null,
            },
          )
        } else if (signal.startedAt !== null) resolved.push(base)
        break
      }
      case 'freshness': {
        if (signal.kind !== 'freshness' || !matches(rule.dataset, signal.dataset)) break
        if (rule.maxAgeMs === undefined) break
        const key = `${base}|${signal.dataset}`
        const age = signal.newest === null ? null : ms(signal.at) - ms(signal.newest)
        if (age === null || age > rule.maxAgeMs) {
          raise(
            key,
            `Dataset ${signal.dataset} is stale`,
            age === null
              ? `${signal.dataset} has no rows; it must be at most ${fmt(rule.maxAgeMs)} old.`
              : `The newest value in ${signal.dataset} is ${fmt(age)} old; at most ${fmt(rule.maxAgeMs)} is allowed.`,
            { dataset: signal.dataset, age_ms: age, max_age_ms: rule.maxAgeMs },
          )
        } else resolved.push(key)
        break
      }
      case 'check_failed': {
        if (
          signal.kind !== 'check' ||
          !matches(rule.task, signal.task) ||
          !matches(rule.check, signal.name)
        )
          break
        const key = `${base}|${signal.task}|${signal.name}`
        if (signal.status === 'fail') {
          raise(
            key,
            `Quality check ${signal.name} failed on ${signal.pipeline}.${signal.task}`,
            signal.message,
            { check: signal.name, check_severity: signal.severity ?? null },
            {
              runId: signal.runId,
              task: signal.task,
              // a warn-level check alerts low unless the rule sets a severity
              ...(signal.severity === 'warn' &&
                rule.severity === DEFAULT_SEVERITY.check_failed && { severity: 'low' as const }),
            },
          )
        } else resolved.push(key)
        break
      }
    }
  }
  return { incidents, resolved }
}
