import { randomUUID } from 'node:crypto'
import { dirname, resolve } from 'node:path'
import { Gauge, Registry } from 'prom-client'
import { planGraphView } from '../../core/dag/plan-graph-view.js'
import { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'
import { parseDuration } from '../../core/duration.js'
import { DataPlane } from '../../engine/data-plane.js'
import { RunEvents } from '../../engine/run-events.js'
import {
  buildLineageGraph,
  mergeLineageGraphs,
  type LineageNode,
} from '../../observe/lineage-graph.js'
import { createRunMetrics } from '../../observe/run-metrics.js'
import { walkLineage } from '../../observe/walk-lineage.js'
import { backfillIntervals } from '../../scheduler/backfill-intervals.js'
import { fileTrigger, type FileTrigger } from '../../scheduler/file-trigger.js'
import { localLeaderLock } from '../../scheduler/local-leader-lock.js'
import { PostgresLeaderLock } from '../../scheduler/postgres-leader-lock.js'
import { runBackfill } from '../../scheduler/run-backfill.js'
import { resolveSchedule, Scheduler, type ScheduleStatus } from '../../scheduler/scheduler.js'
import { createApi } from '../../server/create-api.js'
import type { ScheduleInfo, ServiceControl } from '../../server/service-control.js'
import { startServer } from '../../server/start-server.js'
import { openStateStore } from '../../state/open-state-store.js'
import { PipelineCatalog } from './pipeline-catalog.js'
import { latestDatasetOutputs } from '../../server/latest-dataset-outputs.js'
import { RunLauncher } from './run-launcher.js'
import { attachAlerts, loadAlerts, type AlertFeed } from './service-alerts.js'
import { attachOpenLineage } from '../attach-open-lineage.js'
import { openLineageFromEnv } from '../open-lineage-from-env.js'
import { readRejects } from '../read-rejects.js'

export interface ServeOptions {
  readonly dir: string
  readonly workspace: string
  readonly host: string
  readonly port: number
  readonly token?: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly log: (text: string) => void
  /** An alerts file (channels and rules). */
  readonly alerts?: string
  /** How often the scheduler looks for due fires. Default 1 s. */
  readonly tickMs?: number
  readonly version: string
}

export interface RunningService {
  readonly url: string
  stop(): Promise<void>
}

/**
 * `sluice serve`: the pipelines of a folder, scheduled (cron, with a leader lock when the state
 * is in PostgreSQL), triggered by files, webhooks and other pipelines, run in this process, and
 * served over the HTTP API with /metrics.
 */
export async function startService(o: ServeOptions): Promise<RunningService> {
  const secrets = new SecretMask()
  const stateUrl = o.env.SLUICE_STATE_URL
  const store = await openStateStore({ workspace: o.workspace, url: stateUrl, mask: secrets })
  const catalog = new PipelineCatalog(resolve(o.dir), o.env, o.log)
  await catalog.load()
  const plane = new DataPlane(o.workspace)
  const events = new RunEvents()
  const registry = new Registry()
  const metrics = createRunMetrics(registry)
  events.on('run:start', (e) =>
    metrics.onRunState({ pipeline: e.pipeline, from: 'QUEUED', to: 'RUNNING' }),
  )
  events.on('run:finish', (e) =>
    metrics.onRunState({ pipeline: e.pipeline, from: 'RUNNING', to: e.state }),
  )
  events.on('task:state', (e) =>
    metrics.onTaskState({ pipeline: e.pipeline, task: e.taskId, from: e.from, to: e.to }),
  )

  const lineageEmitter = openLineageFromEnv(o.env, o.log)
  const lineage =
    lineageEmitter &&
    attachOpenLineage(events, lineageEmitter, store, (pipeline) => catalog.get(pipeline)?.spec)

  let alertFeed: AlertFeed | undefined
  if (o.alerts !== undefined) {
    const config = await loadAlerts(resolve(o.alerts), o.env)
    alertFeed = attachAlerts(config, events, store, o.log, {
      pipelines: () => catalog.list().map((e) => e.name),
    })
    o.log(`alerts: ${config.rules.length} rule(s) from ${o.alerts}`)
  }

  const launcher: RunLauncher = new RunLauncher({
    store,
    catalog,
    plane,
    events,
    env: o.env,
    secrets,
    log: o.log,
    onFinish: (pipeline, result) => {
      // pipelines triggered by this one finishing
      for (const e of catalog.list())
        for (const t of e.spec.triggers ?? [])
          if ('after' in t && t.after.pipeline === pipeline) {
            const on = t.after.on ?? 'success'
            const ok = result.state === 'SUCCESS'
            if (on === 'any' || (on === 'success') === ok)
              launcher
                .start({ pipeline: e.name, params: {}, trigger: 'pipeline', actor: pipeline })
                .catch((err: unknown) => o.log(`trigger of ${e.name} failed: ${String(err)}`))
          }
    },
  })

  const lock =
    stateUrl !== undefined && /^postgres(ql)?:/.test(stateUrl)
      ? new PostgresLeaderLock({
          url: stateUrl,
          onError: (e) => o.log(`leader lock: ${String(e)}`),
        })
      : localLeaderLock()
  const scheduler = new Scheduler({
    store,
    launcher,
    leaderLock: lock,
    pipelines: () =>
      catalog
        .list()
        .filter((e) => e.spec.schedule !== undefined)
        .map((e) => ({ name: e.name, hash: e.hash, schedule: e.spec.schedule! })),
    onError: (e, pipeline) =>
      o.log(`schedule of ${pipeline}: ${e instanceof Error ? e.message : String(e)}`),
    onLeaderChange: (leader) =>
      o.log(
        leader
          ? 'scheduler: this process is the leader (it fires the schedules)'
          : 'scheduler: this process is not the leader (another one fires the schedules)',
      ),
  })
  new Gauge({
    name: 'sluice_scheduler_leader',
    help: '1 when this process holds the scheduler leader lock (fires the schedules), else 0',
    registers: [registry],
    collect() {
      this.set(scheduler.isLeader ? 1 : 0)
    },
  })
  scheduler.start(o.tickMs ?? 1000)

  let watchers: FileTrigger[] = []
  const armFileTriggers = (): void => {
    for (const w of watchers) w.close()
    watchers = []
    for (const e of catalog.list())
      for (const t of e.spec.triggers ?? []) {
        if (!('file' in t)) continue
        const param = t.file.param ?? 'file'
        watchers.push(
          fileTrigger({
            dir: resolve(dirname(e.file), t.file.dir),
            ...(t.file.pattern !== undefined && { pattern: t.file.pattern }),
            debounceMs:
              t.file.debounce === undefined ? 100 : (parseDuration(t.file.debounce) ?? 100),
            claim: (key) => store.claimTriggerKey(e.name, `file:${key}`, new Date()),
            onFile: async (f) => {
              const { runId } = await launcher.start({
                pipeline: e.name,
                params: { [param]: f.path },
                trigger: 'file',
                actor: 'file',
              })
              await store.setTriggerRun(e.name, `file:${f.dedupeKey}`, runId)
              o.log(`file ${f.path} started run ${runId}`)
            },
            onError: (err) => o.log(`file trigger of ${e.name}: ${String(err)}`),
          }),
        )
      }
  }
  armFileTriggers()
  catalog.watch(armFileTriggers)

  const scheduleInfo = (s: ScheduleStatus): ScheduleInfo => ({
    pipeline: s.pipeline,
    cron: s.cron,
    timezone: s.timezone,
    paused: s.paused,
    nextRunAt: s.nextFireAt,
    overlap: s.overlap === 'cancel_previous' ? 'allow' : s.overlap,
    catchup: s.catchup !== 'none',
    pausedReason: s.reason,
    lastRunAt: s.lastFire?.dueAt ?? null,
    lastRunId: s.lastFire?.runId ?? null,
    updatedAt: null,
  })
  const requirePipeline = (name: string) => {
    const e = catalog.get(name)
    if (!e) throw new SluiceError('E_PIPELINE_UNKNOWN', `no pipeline ${name} is loaded`)
    return e
  }
  const backfills = new Map<
    string,
    {
      pipeline: string
      from: string
      to: string
      concurrency: number
      runs: string[]
      createdAt: string
    }
  >()
  const control: ServiceControl = {
    pipelines: async () => {
      const schedules = new Map((await scheduler.list()).map((s) => [s.pipeline, s]))
      return catalog.list().map((e) => {
        const s = schedules.get(e.name)
        return {
          name: e.name,
          file: e.file,
          hash: e.hash,
          ...(e.spec.description !== undefined && { description: e.spec.description }),
          schedule: s
            ? { cron: s.cron, timezone: s.timezone, paused: s.paused, nextRunAt: s.nextFireAt }
            : null,
          spec: e.spec,
          graph: planGraphView(e.plan),
        }
      })
    },
    trigger: async (pipeline, params, { dedupeKey, actor }) => {
      requirePipeline(pipeline)
      if (dedupeKey !== undefined) {
        const key = `webhook:${dedupeKey}`
        if (!(await store.claimTriggerKey(pipeline, key, new Date()))) {
          const runId = await store.getTriggerRun(pipeline, key)
          if (runId) return { runId, deduplicated: true }
        }
        const { runId } = await launcher.start({ pipeline, params, trigger: 'webhook', actor })
        await store.setTriggerRun(pipeline, key, runId)
        return { runId, deduplicated: false }
      }
      const { runId } = await launcher.start({ pipeline, params, trigger: 'webhook', actor })
      return { runId, deduplicated: false }
    },
    cancel: async (runId, actor) => {
      if (launcher.has(runId)) await launcher.cancel(runId, `cancelled by ${actor}`)
      else await store.requestCancel(runId, new Date(), actor)
    },
    resume: (runId, actor) => launcher.resume(runId, actor),
    schedules: async () => (await scheduler.list()).map(scheduleInfo),
    pauseSchedule: async (pipeline, reason, actor) => {
      requirePipeline(pipeline)
      await scheduler.pause(pipeline, reason, actor)
      return scheduleInfo((await scheduler.status(pipeline))!)
    },
    resumeSchedule: async (pipeline, actor) => {
      requirePipeline(pipeline)
      await scheduler.resume(pipeline, actor)
      return scheduleInfo((await scheduler.status(pipeline))!)
    },
    backfill: async (pipeline, req, actor) => {
      const e = requirePipeline(pipeline)
      const schedule = e.spec.schedule
      const intervals = backfillIntervals({
        from: new Date(req.from),
        to: new Date(req.to),
        ...(schedule !== undefined ? { schedule: resolveSchedule(schedule) } : { every: '1d' }),
      })
      const groupId = `backfill-${randomUUID().slice(0, 8)}`
      const result = await runBackfill({
        store,
        launcher: {
          launch: (r) =>
            launcher.start({
              pipeline,
              params: { ...r.params },
              trigger: 'backfill',
              actor,
              scheduledFor: r.scheduledFor,
              dataInterval: r.dataInterval,
              logicalDate: r.logicalDate,
              groupId,
            }),
        },
        pipeline,
        hash: e.hash,
        params: req.params,
        intervals,
        groupId,
      })
      backfills.set(groupId, {
        pipeline,
        from: req.from,
        to: req.to,
        concurrency: req.concurrency,
        runs: [...result.runIds],
        createdAt: new Date().toISOString(),
      })
      return { groupId, runs: result.runIds }
    },
    backfills: () => [...backfills.entries()].map(([groupId, b]) => ({ groupId, ...b })),
    lineage: async (query, direction) => {
      // every loaded pipeline, with the row counts and schemas of its latest run
      const graphs = []
      for (const e of catalog.list()) {
        const { outputs } = await latestDatasetOutputs(store, e.name)
        graphs.push(buildLineageGraph(e.spec, { outputs }))
      }
      const ref = 'dataset' in query ? query.dataset : `task:${query.pipeline}.${query.task}`
      const walk = walkLineage(mergeLineageGraphs(graphs), ref, { direction })
      if (!walk)
        throw new SluiceError(
          'E_PIPELINE_UNKNOWN',
          `no dataset or task ${ref} in the loaded pipelines`,
        )
      const node = (n: LineageNode) => ({
        id: n.id,
        kind: n.kind,
        name: n.kind === 'task' ? n.task : n.name,
        ...(n.kind === 'task' && { pipeline: n.pipeline }),
      })
      return {
        nodes: [node(walk.start), ...walk.nodes.map((r) => node(r.node))],
        edges: walk.edges,
      }
    },
    metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
    alerts: () => alertFeed?.recent(),
    rejects: (runId, taskId, limit) => readRejects(plane, runId, taskId, limit),
  }

  const api = createApi({
    store,
    control,
    ...(o.token !== undefined && { token: o.token }),
    version: o.version,
  })
  const server = await startServer(api, {
    host: o.host,
    port: o.port,
    ...(o.token !== undefined && { token: o.token }),
  })
  o.log(
    `serving ${catalog.list().length} pipeline(s) from ${resolve(o.dir)} on ${server.url} (state: ${stateUrl ? 'PostgreSQL' : `${o.workspace}/state.db`})`,
  )
  return {
    url: server.url,
    async stop() {
      alertFeed?.stop()
      await scheduler.stop()
      for (const w of watchers) w.close()
      catalog.close()
      await server.close({ graceMs: 5000 })
      await launcher.stopAll(10_000)
      await lineage?.flush()
      lineage?.detach()
      await plane.close()
      await store.close()
    },
  }
}
