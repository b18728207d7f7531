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

/**
 * Feeds the engine's events to the alert rules: a finished run (and the quality checks it
 * recorded), a task that failed for good. The dispatcher dedupes, so one incident is one alert
 * until it resolves or its quiet period passes. Alerting never fails a run.
 */
export function attachAlerts(
  config: ReturnType<typeof parseAlertConfig>,
  events: RunEvents,
  store: StateStore,
  log: (text: string) => void,
): void {
  const dispatcher = createAlertDispatcher({
    channels: config.channels,
    logger: {
      info: (_o, msg) => log(`alert: ${msg}`),
      warn: (_o, msg) => log(`alert: ${msg}`),
    },
  })
  const send = (signal: AlertSignal): void => {
    dispatcher
      .dispatch(evaluateAlertRules(config.rules, signal))
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
}
