import type { LineageEdge, LineageGraph, LineageNode } from './lineage-graph.js'

export type LineageDirection = 'upstream' | 'downstream' | 'both'

export interface WalkLineageOptions {
  readonly direction?: LineageDirection
  /** Steps to follow (a dataset → task → dataset hop is 2). Default: unlimited (transitive). */
  readonly maxDepth?: number
}

/** The part of a lineage graph reachable from one node. */
export interface LineageWalk {
  /** The node the walk started from. */
  readonly start: LineageNode
  /** Reached nodes (start excluded) with their distance, nearest first, then by id. */
  readonly nodes: readonly {
    readonly node: LineageNode
    readonly depth: number
    readonly direction: 'upstream' | 'downstream'
  }[]
  /** Edges between the start and reached nodes. */
  readonly edges: readonly LineageEdge[]
}

/**
 * Finds the node `ref` names — an exact node id (`sluice:orders_daily.clean`,
 * `task:orders_daily.clean`), a dataset name or path (`public.orders`, `out/orders.parquet`), or
 * a task id (`clean`, `orders_daily.clean`); the first kind that matches exactly one node wins.
 */
export function findLineageNode(graph: LineageGraph, ref: string): LineageNode | undefined {
  const exact = graph.nodes.get(ref)
  if (exact) return exact
  const all = [...graph.nodes.values()]
  const tries: ((n: LineageNode) => boolean)[] = [
    (n) => n.kind === 'dataset' && n.name === ref,
    (n) => n.kind === 'dataset' && n.path === ref,
    (n) => n.kind === 'task' && `${n.pipeline}.${n.task}` === ref,
    (n) => n.kind === 'task' && n.task === ref,
  ]
  for (const match of tries) {
    const hits = all.filter(match)
    if (hits.length === 1) return hits[0]
  }
  return undefined
}

/**
 * Upstream (what a dataset or task comes from) and downstream (what it feeds) of a node,
 * transitively or to `maxDepth`. Returns undefined when `ref` names no node (see
 * `findLineageNode`). The data behind `sluice lineage DATASET`. Pure.
 */
export function walkLineage(
  graph: LineageGraph,
  ref: string,
  options: WalkLineageOptions = {},
): LineageWalk | undefined {
  const start = findLineageNode(graph, ref)
  if (!start) return undefined
  const direction = options.direction ?? 'both'
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY
  const reached = new Map<
    string,
    { node: LineageNode; depth: number; direction: 'upstream' | 'downstream' }
  >()
  const edges = new Set<LineageEdge>()
  const walk = (dir: 'upstream' | 'downstream') => {
    const seen = new Set([start.id])
    let frontier = [start.id]
    for (let depth = 1; frontier.length > 0 && depth <= maxDepth; depth++) {
      const next: string[] = []
      for (const id of frontier) {
        for (const e of graph.edges) {
          const [from, to] = dir === 'upstream' ? [e.to, e.from] : [e.from, e.to]
          if (from !== id) continue
          edges.add(e)
          if (seen.has(to)) continue
          seen.add(to)
          const node = graph.nodes.get(to)
          if (!node) continue
          if (!reached.has(to)) reached.set(to, { node, depth, direction: dir })
          next.push(to)
        }
      }
      frontier = next
    }
  }
  if (direction !== 'downstream') walk('upstream')
  if (direction !== 'upstream') walk('downstream')
  const nodes = [...reached.values()].sort(
    (a, b) => a.depth - b.depth || a.node.id.localeCompare(b.node.id),
  )
  return { start, nodes, edges: [...edges] }
}
