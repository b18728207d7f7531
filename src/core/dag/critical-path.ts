import type { TaskGraph } from './task-graph.js'

export interface CriticalPathResult {
  /** Task ids on the longest path, upstream first. */
  readonly path: string[]
  readonly durationMs: number
  readonly earliestStartMs: Float64Array
  /** How long each task can slip without delaying the run (0 on the critical path). */
  readonly slackMs: Float64Array
}

/**
 * Longest path by duration over a topological order (forward pass for earliest start, backward
 * pass for latest start). Missing durations count as 0; with all zeros the path is still the
 * longest chain by hop count, so it is never empty for a non-empty graph.
 */
export function criticalPath(
  g: TaskGraph,
  order: readonly number[],
  durationMs: (i: number) => number,
): CriticalPathResult {
  const n = g.ids.length
  const es = new Float64Array(n)
  const hops = new Int32Array(n)
  const best = new Int32Array(n).fill(-1)
  let end = -1
  let endFinish = -1
  let endHops = -1
  for (const v of order) {
    for (const u of g.upstream[v]!) {
      const f = es[u]! + durationMs(u)
      if (f > es[v]! || (f === es[v]! && (best[v] === -1 || hops[u]! + 1 > hops[v]!))) {
        es[v] = f
        hops[v] = hops[u]! + 1
        best[v] = u
      }
    }
    const finish = es[v]! + durationMs(v)
    if (finish > endFinish || (finish === endFinish && hops[v]! > endHops)) {
      end = v
      endFinish = finish
      endHops = hops[v]!
    }
  }
  const total = Math.max(0, endFinish)
  const lf = new Float64Array(n).fill(total)
  for (let k = order.length - 1; k >= 0; k--) {
    const v = order[k]!
    for (const w of g.downstream[v]!) lf[v] = Math.min(lf[v]!, lf[w]! - durationMs(w))
  }
  const slack = new Float64Array(n)
  for (const v of order) slack[v] = Math.max(0, lf[v]! - durationMs(v) - es[v]!)
  const path: string[] = []
  for (let c = end; c !== -1; c = best[c]!) path.push(g.ids[c]!)
  path.reverse()
  return { path, durationMs: total, earliestStartMs: es, slackMs: slack }
}
