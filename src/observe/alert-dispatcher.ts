import { spawn } from 'node:child_process'
import { parseDuration } from '../core/duration.js'
import type { AlertChannelConfig, AlertEvaluation, Incident } from './alert-rules.js'
import { maskUrl } from './mask-url.js'

/** What became of one incident on one channel. */
export interface DispatchOutcome {
  readonly key: string
  readonly channel: string
  /** `suppressed`: the incident is open and inside its quiet period. */
  readonly status: 'sent' | 'suppressed' | 'failed'
  /** Delivery tries (0 when suppressed). */
  readonly tries: number
  readonly error?: string
}

/** The subset of a pino logger the dispatcher writes to. */
export interface DispatchLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

export interface AlertDispatcherOptions {
  readonly channels: Readonly<Record<string, AlertChannelConfig>>
  readonly logger?: DispatchLogger
  /** Tries per HTTP delivery (5xx, 429, network errors retry; other 4xx do not). Default 3. */
  readonly maxTries?: number
  /** First retry delay; doubles each time. Default 500 ms. */
  readonly retryDelayMs?: number
  /** Per HTTP request. Default 10 s. */
  readonly timeoutMs?: number
  /** For tests. */
  readonly now?: () => number
  readonly fetch?: typeof fetch
  readonly sleep?: (ms: number) => Promise<void>
}

export interface AlertDispatcher {
  /** Sends the incidents (each to its rule's channels) unless deduplicated; forgets resolved keys. */
  dispatch(evaluation: AlertEvaluation): Promise<DispatchOutcome[]>
  /** Keys of incidents sent and not yet resolved. */
  openIncidents(): string[]
}

/** The JSON a webhook channel receives (and a command channel reads on stdin). */
export function alertPayload(incident: Incident): Record<string, unknown> {
  return {
    version: 1,
    status: 'firing',
    key: incident.key,
    rule: incident.rule,
    kind: incident.kind,
    severity: incident.severity,
    pipeline: incident.pipeline,
    run_id: incident.runId ?? null,
    task: incident.task ?? null,
    title: incident.title,
    message: incident.message,
    at: incident.at,
    details: incident.details,
  }
}

/** The `text` a Slack-compatible webhook receives. */
export function slackText(incident: Incident): string {
  return `[${incident.severity.toUpperCase()}] ${incident.title}\n${incident.message}`
}

/**
 * Delivers incidents to channels — webhook (JSON POST), Slack-compatible (`{ text }` POST) and
 * shell command (alert JSON on stdin, SLUICE_ALERT_* env vars) — so that one incident sends one
 * alert: an incident key already sent is suppressed until it resolves or its rule's quiet period
 * has passed. HTTP deliveries retry 5xx/429/network errors with exponential backoff. Failures are
 * logged (URLs masked: webhook URLs hold secrets) and returned, never thrown.
 */
export function createAlertDispatcher(options: AlertDispatcherOptions): AlertDispatcher {
  const now = options.now ?? Date.now
  const doFetch = options.fetch ?? fetch
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const maxTries = options.maxTries ?? 3
  const retryDelayMs = options.retryDelayMs ?? 500
  const timeoutMs = options.timeoutMs ?? 10_000
  /** Incident key → when it was last sent. */
  const sent = new Map<string, number>()

  const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
    let tries = 0
    for (;;) {
      tries++
      let retry: boolean
      let error: string
      try {
        const res = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        })
        await res.body?.cancel()
        if (res.ok) return { tries }
        error = `HTTP ${res.status} from ${maskUrl(url)}`
        retry = res.status >= 500 || res.status === 429
      } catch (e) {
        error = `${maskUrl(url)}: ${(e as Error).message}`
        retry = true
      }
      if (!retry || tries >= maxTries) return { tries, error }
      await sleep(retryDelayMs * 2 ** (tries - 1))
    }
  }

  const deliver = async (
    incident: Incident,
    channel: AlertChannelConfig,
  ): Promise<{ tries: number; error?: string }> => {
    switch (channel.type) {
      case 'webhook':
        return post(channel.url, alertPayload(incident), channel.headers)
      case 'slack':
        return post(channel.url, { text: slackText(incident) })
      case 'command':
        return runCommand(
          channel.command,
          incident,
          channel.timeout === undefined ? 30_000 : (parseDuration(channel.timeout) ?? 30_000),
        )
    }
  }

  return {
    async dispatch({ incidents, resolved }) {
      for (const key of resolved) sent.delete(key)
      const outcomes: DispatchOutcome[] = []
      await Promise.all(
        incidents.map(async (incident) => {
          const last = sent.get(incident.key)
          const t = now()
          if (last !== undefined && t - last < incident.quietPeriodMs) {
            for (const channel of incident.channels)
              outcomes.push({ key: incident.key, channel, status: 'suppressed', tries: 0 })
            return
          }
          // claimed before sending, so a second signal arriving meanwhile is suppressed
          sent.set(incident.key, t)
          let anySent = false
          for (const name of incident.channels) {
            const channel = options.channels[name]
            const got = channel
              ? await deliver(incident, channel)
              : { tries: 0, error: `no channel named "${name}"` }
            if (got.error === undefined) {
              anySent = true
              outcomes.push({ key: incident.key, channel: name, status: 'sent', tries: got.tries })
              options.logger?.info(
                { alert: incident.key, channel: name, severity: incident.severity },
                `alert sent: ${incident.title}`,
              )
            } else {
              outcomes.push({
                key: incident.key,
                channel: name,
                status: 'failed',
                tries: got.tries,
                error: got.error,
              })
              options.logger?.warn(
                { alert: incident.key, channel: name, tries: got.tries },
                `alert not delivered to ${name}: ${got.error}`,
              )
            }
          }
          // nothing got through: let the next signal try again
          if (!anySent && sent.get(incident.key) === t) sent.delete(incident.key)
        }),
      )
      return outcomes
    },
    openIncidents() {
      return [...sent.keys()].sort()
    },
  }
}

function runCommand(
  command: string,
  incident: Incident,
  timeoutMs: number,
): Promise<{ tries: number; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], {
      stdio: ['pipe', 'ignore', 'pipe'],
      timeout: timeoutMs,
      env: {
        ...process.env,
        SLUICE_ALERT_KEY: incident.key,
        SLUICE_ALERT_RULE: incident.rule,
        SLUICE_ALERT_KIND: incident.kind,
        SLUICE_ALERT_SEVERITY: incident.severity,
        SLUICE_ALERT_PIPELINE: incident.pipeline,
        SLUICE_ALERT_RUN_ID: incident.runId ?? '',
        SLUICE_ALERT_TASK: incident.task ?? '',
        SLUICE_ALERT_TITLE: incident.title,
        SLUICE_ALERT_MESSAGE: incident.message,
      },
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString()
    })
    child.stdin.on('error', () => {}) // the command may not read stdin
    child.stdin.end(JSON.stringify(alertPayload(incident)))
    child.on('error', (e) => resolve({ tries: 1, error: `command failed to start: ${e.message}` }))
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ tries: 1 })
      else
        resolve({
          tries: 1,
          error: `command exited with ${signal ?? `code ${code}`}${stderr ? `: ${stderr.trim().slice(0, 500)}` : ''}`,
        })
    })
  })
}
