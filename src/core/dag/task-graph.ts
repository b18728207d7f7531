/**
 * An adjacency view of the tasks: edges point upstream → downstream. Unknown dependency ids and
 * self-edges are kept out of the edge lists (validation reports them) so algorithms never crash.
 */
export interface TaskGraph {
  /** Task ids in declaration order. */
  readonly ids: readonly string[]
  readonly index: ReadonlyMap<string, number>
  /** upstream[i] = indices of tasks that task i depends on. */
  readonly upstream: readonly (readonly number[])[]
  /** downstream[i] = indices of tasks that depend on task i. */
  readonly downstream: readonly (readonly number[])[]
}

export function buildTaskGraph(deps: ReadonlyMap<string, readonly string[]>): TaskGraph {
  const ids = [...deps.keys()]
  const index = new Map<string, number>()
  ids.forEach((id, i) => index.set(id, i))
  const upstream: number[][] = ids.map(() => [])
  const downstream: number[][] = ids.map(() => [])
  ids.forEach((id, i) => {
    const seen = new Set<number>()
    for (const d of deps.get(id) ?? []) {
      const j = index.get(d)
      if (j === undefined || j === i || seen.has(j)) continue
      seen.add(j)
      upstream[i]!.push(j)
      downstream[j]!.push(i)
    }
  })
  return { ids, index, upstream, downstream }
}

/** Indices reachable from `start` following `edges` (start included). Iterative. */
export function reachable(
  edges: readonly (readonly number[])[],
  start: Iterable<number>,
): Set<number> {
  const seen = new Set<number>(start)
  const stack = [...seen]
  while (stack.length > 0) {
    const n = stack.pop()!
    for (const m of edges[n] ?? []) {
      if (!seen.has(m)) {
        seen.add(m)
        stack.push(m)
      }
    }
  }
  return seen
}
