import type { TaskGraph } from './task-graph.js'

export interface TopoResult {
  /** Level k holds tasks whose dependencies all sit in levels < k; declaration order within a level. */
  readonly levels: number[][]
  /** Tasks that never became ready: on a cycle or downstream of one. */
  readonly blocked: number[]
}

/** Kahn's algorithm by levels, O(V+E). Restricted to `subset` when given. */
export function topoLevels(g: TaskGraph, subset?: ReadonlySet<number>): TopoResult {
  const n = g.ids.length
  const inSet = (i: number) => subset === undefined || subset.has(i)
  const indeg = new Int32Array(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    if (!inSet(i)) continue
    total++
    for (const u of g.upstream[i]!) if (inSet(u)) indeg[i]!++
  }
  const levels: number[][] = []
  let current: number[] = []
  for (let i = 0; i < n; i++) if (inSet(i) && indeg[i] === 0) current.push(i)
  let done = 0
  while (current.length > 0) {
    levels.push(current)
    done += current.length
    const next: number[] = []
    for (const v of current) {
      for (const w of g.downstream[v]!) {
        if (!inSet(w)) continue
        if (--indeg[w]! === 0) next.push(w)
      }
    }
    next.sort((a, b) => a - b)
    current = next
  }
  const blocked: number[] = []
  if (done < total) for (let i = 0; i < n; i++) if (inSet(i) && indeg[i]! > 0) blocked.push(i)
  return { levels, blocked }
}
