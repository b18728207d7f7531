import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import { SluiceError } from '../../core/sluice-error.js'
import type { RunEvents } from '../../engine/run-events.js'
import { createAlertDispatcher } from '../../observe/alert-dispatcher.js'
import {
  evaluateAlertRules,
  parseAlertConfig,
  type AlertSignal,
} from '../../observe/alert-rules.js'
import type { AlertInfo } from '../../server/service-control.js'
import { lastSuccessOutputs } from '../../state/last-success-outputs.js'
import type { StateStore } from '../../state/state-store.js'

/**
 * Loads an alerts file (`alerts:` with channels and rules; `${env:NAME}` substituted) for
 * `sluice serve --alerts FILE`.
 */
export async function loadAlerts(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ReturnType<typeof parseAlertConfig>> {
  const text = (await readFile(file, 'utf8')).replace(
    /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g,
    (_m, name: string) => {
      const v = env[name]
      if (v === undefined)
        throw new SluiceError('E_ENV_UNSET', `${file}: environment variable ${name} is not set`)
      return v
    },
  )
  const raw = parse(text) as { alerts?: unknown } | null
  return parseAlertConfig(raw?.alerts ?? raw)
}

export interface AlertFeed {
  /** The latest deliveries, newest first (at most 200 are kept). */
  recent(): AlertInfo[]
  stop(): void
}

export interface AttachAlertsOptions {
  /** The pipelines whose datasets are checked for freshness. */
  readonly pipelines: () => readonly string[]
  /** How often freshness is evaluated. Default 60 s. */
  readonly freshnessEveryMs?: number
}

/**
 * Feeds the alert rules: a finished run (and the quality checks it recorded), a task that failed
 * for good, a scheduled run that started late (its start vs its due time), and every minute the
 * freshness of each dataset (`pipeline.task`: when the last successful run wrote it). The
 * dispatcher dedupes, so one incident is one alert until it resolves or its quiet period passes.
 * Alerting never fails a run.
 */
export function attachAlerts(
  config: ReturnType<typeof parseAlertConfig>,
  events: RunEvents,
  store: StateStore,
  log: (text: string) => void,
  options: AttachAlertsOptions,
): AlertFeed {
  const dispatcher = createAlertDispatcher({
    channels: config.channels,
    logger: {
      info: (_o, msg) => log(`alert: ${msg}`),
      warn: (_o, msg) => log(`alert: ${msg}`),
    },
  })
  const recent: AlertInfo[] = []
  const send = (signal: AlertSignal): void => {
    const evaluation = evaluateAlertRules(config.rules, signal)
    dispatcher
      .dispatch(evaluation)
      .then((outcomes) => {
        const at = new Date().toISOString()
        for (const o of outcomes) {
          const i = evaluation.incidents.find((x) => x.key === o.key)
          if (!i) continue
          recent.unshift({
            at,
            key: o.key,
            rule: i.rule,
            kind: i.kind,
            severity: i.severity,
            title: i.title,
            pipeline: i.pipeline,
            runId: i.runId ?? null,
            channel: o.channel,
            status: o.status,
            error: o.error ?? null,
          })
        }
        recent.splice(200)
      })
      .catch((e: unknown) => log(`alert dispatch failed: ${String(e)}`))
  }
  events.on('task:state', (e) => {
    if (e.to !== 'FAILED') return
    send({
      kind: 'task',
      pipeline: e.pipeline,
      runId: e.runId,
      task: e.taskId,
      state: e.to,
      attempt: e.attempt,
      deadLettered: true,
      at: e.at,
      ...(e.error && { error: e.error }),
    })
  })
  events.on('run:start', (e) => {
    if (e.resumed || e.scheduledFor === undefined) return
    send({
      kind: 'schedule',
      pipeline: e.pipeline,
      dueAt: e.scheduledFor,
      startedAt: e.at,
      at: e.at,
    })
  })
  events.on('run:finish', (e) => {
    send({
      kind: 'run',
      pipeline: e.pipeline,
      runId: e.runId,
      state: e.state,
      at: e.at,
      startedAt: e.at - e.durationMs,
      durationMs: e.durationMs,
    })
    store
      .listCheckResults({ runId: e.runId })
      .then((checks) => {
        for (const c of checks)
          send({
            kind: 'check',
            pipeline: e.pipeline,
            runId: e.runId,
            task: c.taskId,
            name: c.name,
            status: c.status,
            severity: c.severity,
            message: c.message,
            at: e.at,
          })
      })
      .catch((err: unknown) => log(`alert: cannot read check results: ${String(err)}`))
  })
  const freshness = async (): Promise<void> => {
    if (!config.rules.some((r) => r.on === 'freshness')) return
    const at = Date.now()
    for (const pipeline of options.pipelines()) {
      const run = (await store.listRuns({ pipeline, state: 'SUCCESS', limit: 1 }))[0]
      if (!run?.finishedAt) continue
      for (const t of await store.listTasks(run.id)) {
        const out = lastSuccessOutputs(t)
        if (out === null || typeof out !== 'object' || !('rows' in out)) continue
        send({
          kind: 'freshness',
          pipeline,
          dataset: `${pipeline}.${t.taskId}`,
          newest: run.finishedAt,
          at,
        })
      }
    }
  }
  const timer = setInterval(() => {
    freshness().catch((e: unknown) => log(`alert: freshness check failed: ${String(e)}`))
  }, options.freshnessEveryMs ?? 60_000)
  timer.unref()
  return {
    recent: () => [...recent],
    stop: () => clearInterval(timer),
  }
}
