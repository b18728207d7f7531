import type { ExecutionPlan } from '../core/dag/execution-plan.js'
import { planPipeline, type PlanInputTask, type PlanOptions } from '../core/dag/plan-pipeline.js'
import { parseDuration } from '../core/duration.js'
import { SluiceError } from '../core/sluice-error.js'
import type { LoadedPipeline } from './loaded-pipeline.js'

/** Plans a valid loaded pipeline; `max_parallel` and task `estimate:` come from the spec. */
export function planLoaded(loaded: LoadedPipeline, options: PlanOptions = {}): ExecutionPlan {
  const spec = loaded.spec
  if (!spec) throw new SluiceError('E_INTERNAL', 'cannot plan a pipeline that has errors')
  const defaults = spec.defaults ?? {}
  const tasks = new Map<string, PlanInputTask>()
  for (const [id, t] of Object.entries(spec.tasks)) {
    const est = t.estimate === undefined ? undefined : parseDuration(t.estimate)
    const pool = t.pool ?? defaults.pool
    tasks.set(id, {
      type: t.type,
      priority: t.priority ?? defaults.priority ?? 0,
      ...(pool !== undefined && { pool }),
      tags: [...(defaults.tags ?? []), ...(t.tags ?? [])],
      ...(est !== undefined && { estimateMs: est }),
    })
  }
  const maxParallel = options.maxParallel ?? spec.max_parallel
  return planPipeline(spec.name, loaded.graph, tasks, {
    ...options,
    ...(maxParallel !== undefined && { maxParallel }),
  })
}
