import { criticalPath } from './critical-path.js'
import type { ExecutionPlan, PlannedTask } from './execution-plan.js'
import { selectTasks } from './select-tasks.js'
import type { TaskGraph } from './task-graph.js'
import { topoLevels } from './topo-levels.js'

export interface PlanInputTask {
  readonly type: string
  readonly priority?: number
  readonly pool?: string
  readonly tags?: readonly string[]
  readonly estimateMs?: number
}

export interface PlanOptions {
  readonly select?: readonly string[]
  readonly exclude?: readonly string[]
  readonly maxParallel?: number
  /** Known durations (history), by task id; beats `estimateMs`. */
  readonly durationsMs?: Readonly<Record<string, number>>
}

/**
 * Compiles a validated, acyclic graph into an execution plan: selection, levels (split by
 * maxParallel, higher priority and critical tasks first), critical path and slack.
 */
export function planPipeline(
  pipeline: string,
  graph: TaskGraph,
  tasks: ReadonlyMap<string, PlanInputTask>,
  options: PlanOptions = {},
): ExecutionPlan {
  const selectable = new Map(
    [...tasks].map(([id, t]) => [id, { tags: t.tags ?? [], type: t.type }]),
  )
  const chosen = selectTasks(graph, selectable, options.select ?? [], options.exclude ?? [])
  const topo = topoLevels(graph, chosen)
  const order = topo.levels.flat()
  const durations = graph.ids.map((id) => options.durationsMs?.[id] ?? tasks.get(id)?.estimateMs)
  const known = (i: number): number | undefined => durations[i]
  const hasDurations = order.some((i) => known(i) !== undefined)
  const cp = hasDurations
    ? criticalPath(restrict(graph, chosen), order, (i) => known(i) ?? 0)
    : undefined
  const onCritical = new Set(cp?.path ?? [])
  const levelOf = new Map<number, number>()
  topo.levels.forEach((lvl, k) => lvl.forEach((i) => levelOf.set(i, k)))

  const planned: PlannedTask[] = order.map((i) => {
    const id = graph.ids[i]!
    const t = tasks.get(id)
    const est = known(i)
    return {
      id,
      type: t?.type ?? 'noop',
      dependsOn: graph.upstream[i]!.filter((u) => chosen.has(u)).map((u) => graph.ids[u]!),
      dependents: graph.downstream[i]!.filter((d) => chosen.has(d)).map((d) => graph.ids[d]!),
      level: levelOf.get(i) ?? 0,
      priority: t?.priority ?? 0,
      ...(t?.pool !== undefined && { pool: t.pool }),
      tags: t?.tags ?? [],
      ...(est !== undefined && { estimateMs: est }),
      ...(cp && { earliestStartMs: cp.earliestStartMs[i]!, slackMs: cp.slackMs[i]! }),
      critical: onCritical.has(id),
    }
  })
  const byId = new Map(planned.map((p) => [p.id, p]))
  const rank = (a: string, b: string) => {
    const pa = byId.get(a)!
    const pb = byId.get(b)!
    return (
      pb.priority - pa.priority ||
      Number(pb.critical) - Number(pa.critical) ||
      (pa.slackMs ?? 0) - (pb.slackMs ?? 0)
    )
  }
  const cap = options.maxParallel
  const levels: string[][] = []
  for (const lvl of topo.levels) {
    const ids = lvl.map((i) => graph.ids[i]!).sort(rank)
    if (cap === undefined || ids.length <= cap) levels.push(ids)
    else for (let k = 0; k < ids.length; k += cap) levels.push(ids.slice(k, k + cap))
  }
  const excludedDependencies: Record<string, string[]> = {}
  for (const i of order) {
    const outside = graph.upstream[i]!.filter((u) => !chosen.has(u)).map((u) => graph.ids[u]!)
    if (outside.length > 0) excludedDependencies[graph.ids[i]!] = outside
  }
  const estimatedDurationMs = hasDurations
    ? levels.reduce(
        (sum, lvl) => sum + Math.max(0, ...lvl.map((id) => byId.get(id)!.estimateMs ?? 0)),
        0,
      )
    : undefined
  return {
    pipeline,
    tasks: planned,
    levels,
    ...(cap !== undefined && { maxParallel: cap }),
    excludedDependencies,
    ...(cp && { criticalPath: { tasks: cp.path, durationMs: cp.durationMs } }),
    ...(estimatedDurationMs !== undefined && { estimatedDurationMs }),
  }
}

/** The same graph with edges to unselected tasks removed. */
function restrict(g: TaskGraph, chosen: ReadonlySet<number>): TaskGraph {
  if (chosen.size === g.ids.length) return g
  return {
    ...g,
    upstream: g.upstream.map((u) => u.filter((i) => chosen.has(i))),
    downstream: g.downstream.map((d) => d.filter((i) => chosen.has(i))),
  }
}
