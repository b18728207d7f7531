import type { CompiledPipeline } from '../core/compiled-pipeline.js'
import { DataPlane } from '../engine/data-plane.js'
import { RunEvents } from '../engine/run-events.js'
import { runPipeline, type RunResult } from '../engine/run-pipeline.js'
import type { StateStore } from '../state/state-store.js'
import type { CliContext } from './cli-context.js'
import { EXIT } from './cli-io.js'
import { formatMs } from './format-table.js'
import { attachProgress } from './progress-printer.js'
import { attachOpenLineage } from './attach-open-lineage.js'
import { openLineageFromEnv } from './open-lineage-from-env.js'

export interface ExecuteOptions {
  readonly runId: string
  readonly resume: boolean
  readonly concurrency?: number
  readonly json?: boolean
  readonly baseDir?: string
}

/**
 * Runs with live progress; SIGINT/SIGTERM cancel (no new task starts, running ones get the abort
 * signal and a grace period), a second SIGINT exits at once. Returns the exit code.
 */
export async function executeRun(
  ctx: CliContext,
  store: StateStore,
  pipeline: CompiledPipeline,
  o: ExecuteOptions,
): Promise<number> {
  const { io } = ctx
  const ctl = new AbortController()
  let signals = 0
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) process.exit(EXIT.cancelled)
    io.err(`${sig}: cancelling run ${o.runId} (again to exit at once)`)
    ctl.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const events = new RunEvents()
  const stopProgress = attachProgress(
    io,
    events,
    pipeline.plan.tasks.map((t) => t.id),
    o.json ? 'json' : io.isTty ? 'tty' : 'plain',
  )
  const emitter = openLineageFromEnv(io.env, (t) => io.err(t))
  const lineage = emitter && attachOpenLineage(events, emitter, store, () => pipeline.spec)
  let result: RunResult
  const dataPlane = new DataPlane(ctx.workspace())
  try {
    result = await runPipeline(pipeline, {
      store,
      runId: o.runId,
      resume: o.resume,
      signal: ctl.signal,
      events,
      actor: ctx.actor,
      dataPlane,
      ...(o.concurrency !== undefined && { concurrency: o.concurrency }),
      ...(o.baseDir !== undefined && { baseDir: o.baseDir }),
    })
  } finally {
    await lineage?.flush()
    lineage?.detach()
    await dataPlane.close()
    stopProgress()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  const counts: Record<string, number> = {}
  for (const t of Object.values(result.tasks)) counts[t.state] = (counts[t.state] ?? 0) + 1
  const summary = Object.entries(counts)
    .map(([k, n]) => `${n} ${k.toLowerCase()}`)
    .join(', ')
  if (o.json) io.out(JSON.stringify({ event: 'run:result', ...result }))
  else {
    io.out(`run ${result.runId} ${result.state} in ${formatMs(result.durationMs)} (${summary})`)
    for (const [id, t] of Object.entries(result.tasks)) {
      if (t.state === 'FAILED' && t.error)
        io.err(`error ${t.error.code} task ${id}: ${t.error.message}`)
    }
    if (result.state !== 'SUCCESS')
      io.out(`details: sluice show ${result.runId}; continue: sluice resume ${result.runId}`)
  }
  return result.state === 'SUCCESS'
    ? EXIT.ok
    : result.state === 'CANCELLED'
      ? EXIT.cancelled
      : EXIT.failed
}
