import { describe, it, expect } from 'vitest'
import parse from 'dotparser'
import type { Attr, Graph, NodeStmt, EdgeStmt, NodeId } from 'dotparser'
import { renderDot, STATE_COLORS } from '../../../src/core/render/index.js'
import type { GraphView } from '../../../src/core/render/index.js'
import { diamond, empty, ordersDaily, single } from './fixtures.js'

/** dotparser resolves `\"` itself and keeps every other escape verbatim; finish the job. */
function unescape(s: string | number): string {
  return String(s).replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch))
}

function parseOne(text: string): Graph {
  const graphs = parse(text)
  expect(graphs).toHaveLength(1)
  const g = graphs[0]!
  expect(g.type).toBe('digraph')
  return g
}

function attrs(list: Attr[]): Record<string, string> {
  return Object.fromEntries(
    list.map((a) => [String(a.id), typeof a.eq === 'object' ? a.eq.value : unescape(a.eq)]),
  )
}

function nodeStmts(g: Graph): NodeStmt[] {
  return g.children.filter((c): c is NodeStmt => c.type === 'node_stmt')
}

function edgePairs(g: Graph): [string, string][] {
  return g.children
    .filter((c): c is EdgeStmt => c.type === 'edge_stmt')
    .map((e) => {
      expect(e.edge_list).toHaveLength(2)
      const [a, b] = e.edge_list as [NodeId, NodeId]
      expect(a.type).toBe('node_id')
      expect(b.type).toBe('node_id')
      return [unescape(a.id), unescape(b.id)]
    })
}

function checkGraph(view: GraphView): Graph {
  const g = parseOne(renderDot(view))
  expect(unescape(g.id ?? '')).toBe(view.pipeline)
  expect(nodeStmts(g).map((n) => unescape(n.node_id.id))).toEqual(view.nodes.map((n) => n.id))
  expect(edgePairs(g)).toEqual(view.edges.map((e) => [e.from, e.to]))
  return g
}

describe('renderDot', () => {
  it('renders one digraph with a node statement per task and an edge per dependency', () => {
    const text = renderDot(ordersDaily)
    expect(text.startsWith('digraph "orders_daily" {')).toBe(true)
    expect(text.endsWith('}')).toBe(true)
    const g = checkGraph(ordersDaily)
    const graphAttrs = g.children.filter((c) => c.type === 'attr_stmt')
    expect(graphAttrs.find((a) => a.target === 'graph')?.attr_list[0]).toMatchObject({
      id: 'rankdir',
      eq: 'LR',
    })
    const nodeDefaults = graphAttrs.find((a) => a.target === 'node')!
    expect(attrs(nodeDefaults.attr_list)).toMatchObject({
      shape: 'box',
      style: 'rounded,filled',
      fontname: 'Helvetica',
    })
    const clean = nodeStmts(g).find((n) => n.node_id.id === 'clean')!
    expect(attrs(clean.attr_list)).toMatchObject({
      label: 'clean\nsql',
      fillcolor: STATE_COLORS.NONE.fill,
      color: STATE_COLORS.NONE.stroke,
    })
  })

  it('keeps ids with quotes, spaces, dashes and backslashes intact (diamond)', () => {
    const g = checkGraph(diamond)
    const byId = new Map(nodeStmts(g).map((n) => [unescape(n.node_id.id), attrs(n.attr_list)]))
    expect(byId.get('say "hi"\\now')?.label).toBe('say "hi"\\now\nload')
    expect(byId.get('left side')?.label).toBe('left side\nsql')
    expect(byId.get('right_side')).toMatchObject({
      fillcolor: STATE_COLORS.FAILED.fill,
      color: STATE_COLORS.FAILED.stroke,
      tooltip: 'FAILED: x < y & "z"',
    })
    expect(byId.get('a-b')?.penwidth).toBe('2.5')
    expect(byId.get('right_side')?.penwidth).toBeUndefined()
  })

  it('survives ids ending in a backslash or containing newlines', () => {
    const view: GraphView = {
      pipeline: 'edge\\',
      nodes: [
        { id: 'ends\\', type: 't', level: 0 },
        { id: 'two\nlines', type: 't', level: 1 },
      ],
      edges: [{ from: 'ends\\', to: 'two\nlines' }],
    }
    const text = renderDot(view)
    expect(text.split('\n').every((l) => !l.includes('\r'))).toBe(true)
    const g = parseOne(text)
    expect(nodeStmts(g).map((n) => unescape(n.node_id.id))).toEqual(['ends\\', 'two\nlines'])
    expect(edgePairs(g)).toEqual([['ends\\', 'two\nlines']])
  })

  it('handles a single node and an empty graph', () => {
    checkGraph(single)
    const g = checkGraph(empty)
    expect(nodeStmts(g)).toHaveLength(0)
  })
})
