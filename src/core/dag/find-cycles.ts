import type { TaskGraph } from './task-graph.js'

/**
 * Every cycle in the graph, one per strongly connected component, each as a closed path
 * `[a, b, c, a]` in dependency order (a depends on b … ). Tarjan's algorithm, iterative, O(V+E).
 */
export function findCycles(g: TaskGraph): string[][] {
  const n = g.ids.length
  const idx = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const onStack = new Uint8Array(n)
  const stack: number[] = []
  const sccs: number[][] = []
  let counter = 0
  const edges = g.upstream

  for (let root = 0; root < n; root++) {
    if (idx[root] !== -1) continue
    const work: Array<[node: number, edge: number]> = [[root, 0]]
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const [v, e] = frame
      if (e === 0 && idx[v] === -1) {
        idx[v] = low[v] = counter++
        stack.push(v)
        onStack[v] = 1
      }
      const out = edges[v]!
      if (e < out.length) {
        frame[1] = e + 1
        const w = out[e]!
        if (idx[w] === -1) work.push([w, 0])
        else if (onStack[w]) low[v] = Math.min(low[v]!, idx[w]!)
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!)
      if (low[v] === idx[v]) {
        const comp: number[] = []
        let w: number
        do {
          w = stack.pop()!
          onStack[w] = 0
          comp.push(w)
        } while (w !== v)
        if (comp.length > 1) sccs.push(comp)
      }
    }
  }
  return sccs.map((comp) => cyclePath(g, comp)).sort((a, b) => a[0]!.localeCompare(b[0]!))
}

/** A simple cycle inside one component, starting at its first-declared task. */
function cyclePath(g: TaskGraph, comp: number[]): string[] {
  const inComp = new Set(comp)
  const start = Math.min(...comp)
  // BFS from start back to start, staying inside the component: shortest cycle through start.
  const prev = new Map<number, number>()
  const queue = [start]
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!
    for (const w of g.upstream[v]!) {
      if (!inComp.has(w)) continue
      if (w === start) {
        const path = [v]
        let c = v
        while (c !== start) {
          c = prev.get(c)!
          path.push(c)
        }
        path.reverse()
        return [...path, start].map((i) => g.ids[i]!)
      }
      if (!prev.has(w)) {
        prev.set(w, v)
        queue.push(w)
      }
    }
  }
  return [g.ids[start]!, g.ids[start]!] // unreachable for a real SCC
}
