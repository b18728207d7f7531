import type { GraphView } from './graph-view.js'

/** Pretty JSON `{ pipeline, nodes, edges }` with a stable key order; absent fields are omitted. */
export function renderJson(view: GraphView): string {
  const nodes = view.nodes.map((n) => ({
    id: n.id,
    type: n.type,
    level: n.level,
    ...(n.state !== undefined ? { state: n.state } : {}),
    ...(n.critical !== undefined ? { critical: n.critical } : {}),
    ...(n.description !== undefined ? { description: n.description } : {}),
  }))
  const edges = view.edges.map((e) => ({ from: e.from, to: e.to }))
  return JSON.stringify({ pipeline: view.pipeline, nodes, edges }, null, 2)
}
