import type { ErrorCode } from '../error-codes.js'
import { didYouMean } from '../suggest.js'
import { findCycles } from './find-cycles.js'
import { buildTaskGraph, type TaskGraph } from './task-graph.js'
import { topoLevels } from './topo-levels.js'

/** A graph problem, located by a definition path like `tasks.load.depends_on[1]`. */
export interface GraphProblem {
  readonly severity: 'error' | 'warning'
  readonly code: ErrorCode
  readonly message: string
  readonly path: string
  readonly suggestion?: string
}

/**
 * Checks dependencies: missing ids (with a "did you mean"), self-dependencies, every cycle with its
 * full path, and tasks that can never run because they sit downstream of a cycle.
 */
export function validateGraph(deps: ReadonlyMap<string, readonly string[]>): {
  graph: TaskGraph
  problems: GraphProblem[]
} {
  const problems: GraphProblem[] = []
  const ids = [...deps.keys()]
  for (const [id, list] of deps) {
    list.forEach((d, k) => {
      if (d !== id && deps.has(d)) return
      const path = `tasks.${id}.depends_on[${k}]`
      if (d === id) {
        problems.push({
          severity: 'error',
          code: 'E_DEP_SELF',
          message: `task ${id} depends on itself`,
          path,
          suggestion: `remove "${d}" from depends_on`,
        })
      } else if (!deps.has(d)) {
        problems.push({
          severity: 'error',
          code: 'E_DEP_MISSING',
          message: `task ${id} depends on "${d}", which is not a task`,
          path,
          suggestion: didYouMean(d, ids),
        })
      }
    })
  }
  const graph = buildTaskGraph(deps)
  const cycles = findCycles(graph)
  const onCycle = new Set<string>()
  for (const cycle of cycles) {
    cycle.forEach((id) => onCycle.add(id))
    const first = cycle[0]!
    const k = (deps.get(first) ?? []).indexOf(cycle[1]!)
    problems.push({
      severity: 'error',
      code: 'E_CYCLE',
      message: `dependency cycle: ${cycle.join(' -> ')}`,
      path: `tasks.${first}.depends_on[${Math.max(0, k)}]`,
      suggestion: 'remove one of these dependencies',
    })
  }
  if (cycles.length > 0) {
    for (const i of topoLevels(graph).blocked) {
      const id = graph.ids[i]!
      if (onCycle.has(id)) continue
      problems.push({
        severity: 'warning',
        code: 'W_UNREACHABLE',
        message: `task ${id} can never run: it is downstream of a dependency cycle`,
        path: `tasks.${id}`,
      })
    }
  }
  return { graph, problems }
}
