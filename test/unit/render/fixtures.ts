import type { GraphView } from '../../../src/core/render/index.js'

/** The README example: two extracts feeding a transform feeding a load. */
export const ordersDaily: GraphView = {
  pipeline: 'orders_daily',
  nodes: [
    { id: 'orders', type: 'extract', level: 0 },
    { id: 'customers', type: 'extract', level: 0 },
    { id: 'clean', type: 'sql', level: 1 },
    { id: 'load', type: 'load', level: 2 },
  ],
  edges: [
    { from: 'orders', to: 'clean' },
    { from: 'customers', to: 'clean' },
    { from: 'clean', to: 'load' },
  ],
}

/** Diamond with states, a critical path and awkward ids. */
export const diamond: GraphView = {
  pipeline: 'diamond "odd" <&>',
  nodes: [
    { id: 'a-b', type: 'extract', level: 0, state: 'SUCCESS', critical: true },
    { id: 'left side', type: 'sql', level: 1, state: 'RUNNING', critical: true },
    { id: 'right_side', type: 'python', level: 1, state: 'FAILED', description: 'x < y & "z"' },
    { id: 'say "hi"\\now', type: 'load', level: 2, state: 'PENDING', critical: true },
  ],
  edges: [
    { from: 'a-b', to: 'left side' },
    { from: 'a-b', to: 'right_side' },
    { from: 'left side', to: 'say "hi"\\now' },
    { from: 'right_side', to: 'say "hi"\\now' },
  ],
}

export const single: GraphView = {
  pipeline: 'solo',
  nodes: [{ id: 'only', type: 'shell', level: 0 }],
  edges: [],
}

export const empty: GraphView = { pipeline: 'nothing', nodes: [], edges: [] }

/**
 * Two chains given in a twisted order (level 1 lists the child of `b` first): a layout that keeps
 * input order crosses, the barycenter sweep should not.
 */
export const twisted: GraphView = {
  pipeline: 'twisted',
  nodes: [
    { id: 'a', type: 't', level: 0 },
    { id: 'b', type: 't', level: 0 },
    { id: 'c', type: 't', level: 0 },
    { id: 'cb', type: 't', level: 1 },
    { id: 'cc', type: 't', level: 1 },
    { id: 'ca', type: 't', level: 1 },
    { id: 'dc', type: 't', level: 2 },
    { id: 'da', type: 't', level: 2 },
    { id: 'db', type: 't', level: 2 },
  ],
  edges: [
    { from: 'a', to: 'ca' },
    { from: 'b', to: 'cb' },
    { from: 'c', to: 'cc' },
    { from: 'ca', to: 'da' },
    { from: 'cb', to: 'db' },
    { from: 'cc', to: 'dc' },
  ],
}

/** A random DAG of `n` tasks (deterministic), levels = longest path from a root. */
export function randomDag(n: number, seed = 42): GraphView {
  let s = seed >>> 0
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
  const levels: number[] = []
  const nodes: { id: string; type: string; level: number }[] = []
  const edges: { from: string; to: string }[] = []
  for (let i = 0; i < n; i++) {
    let level = 0
    if (i > 0 && rand() < 0.9) {
      const parents = new Set<number>()
      const k = 1 + Math.floor(rand() * 3)
      for (let j = 0; j < k; j++) parents.add(Math.max(0, i - 1 - Math.floor(rand() * 40)))
      for (const p of parents) {
        edges.push({ from: `task_${p}`, to: `task_${i}` })
        level = Math.max(level, (levels[p] ?? 0) + 1)
      }
    }
    levels.push(level)
    nodes.push({ id: `task_${i}`, type: i % 3 === 0 ? 'sql' : 'extract', level })
  }
  return { pipeline: 'big', nodes, edges }
}
