import type { GraphView } from '../render/graph-view.js'
import type { TaskState } from '../state/task-state.js'
import type { ExecutionPlan } from './execution-plan.js'

/** The drawable view of a plan, optionally coloured by task states. */
export function planGraphView(
  plan: ExecutionPlan,
  states?: ReadonlyMap<string, TaskState>,
  descriptions?: ReadonlyMap<string, string>,
): GraphView {
  return {
    pipeline: plan.pipeline,
    nodes: plan.tasks.map((t) => {
      const state = states?.get(t.id)
      const description = descriptions?.get(t.id)
      return {
        id: t.id,
        type: t.type,
        level: t.level,
        critical: t.critical,
        ...(state !== undefined && { state }),
        ...(description !== undefined && { description }),
      }
    }),
    edges: plan.tasks.flatMap((t) => t.dependsOn.map((from) => ({ from, to: t.id }))),
  }
}
