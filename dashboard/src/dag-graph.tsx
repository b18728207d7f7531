import { Graph, layout } from '@dagrejs/dagre'
import { useMemo, type KeyboardEvent } from 'react'

export interface DagNode {
  readonly id: string
  readonly label: string
  /** Second line (task type, row counts…). */
  readonly sub?: string
  /** A task state (colours the node) or a kind like `dataset`. */
  readonly state?: string
  readonly kind?: string
}

export interface DagEdge {
  readonly from: string
  readonly to: string
}

const W = 196
const H = 46

/**
 * A directed graph laid out left to right with dagre and drawn in SVG. Nodes are buttons: click,
 * Enter or Space selects one. `data-state` on each node carries its state (colours come from CSS).
 */
export function DagGraph({
  nodes,
  edges,
  selected,
  onSelect,
  label,
}: {
  nodes: readonly DagNode[]
  edges: readonly DagEdge[]
  selected?: string | undefined
  onSelect?: (id: string) => void
  label: string
}) {
  const laid = useMemo(() => {
    const g = new Graph()
    g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 48, marginx: 8, marginy: 8 })
    g.setDefaultEdgeLabel(() => ({}))
    for (const n of nodes) g.setNode(n.id, { width: W, height: H })
    for (const e of edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to)
    layout(g)
    const label = g.graph() as { width?: number; height?: number }
    return {
      width: Math.max(label.width ?? 0, W + 16),
      height: Math.max(label.height ?? 0, H + 16),
      pos: new Map(
        nodes.map((n) => {
          const p = g.node(n.id) as { x: number; y: number }
          return [n.id, p] as const
        }),
      ),
      paths: g.edges().map((e) => {
        const pts = (g.edge(e) as { points?: { x: number; y: number }[] }).points ?? []
        return {
          key: `${e.v}->${e.w}`,
          d: pts
            .map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`)
            .join(''),
        }
      }),
    }
  }, [nodes, edges])

  const key = (id: string) => (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault()
      onSelect?.(id)
    }
  }

  return (
    <div className="graph-wrap">
      <svg
        className="dag"
        role="group"
        aria-label={label}
        width={laid.width}
        height={laid.height}
        viewBox={`0 0 ${laid.width} ${laid.height}`}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0L10,5L0,10z" className="arrow-head" />
          </marker>
        </defs>
        {laid.paths.map((p) => (
          <path key={p.key} d={p.d} className="edge" markerEnd="url(#arrow)" />
        ))}
        {nodes.map((n) => {
          const p = laid.pos.get(n.id)
          if (!p) return null
          return (
            <g
              key={n.id}
              className={`node${selected === n.id ? ' selected' : ''}${n.kind !== undefined ? ` kind-${n.kind}` : ''}`}
              data-node={n.id}
              data-state={n.state ?? 'NONE'}
              transform={`translate(${p.x - W / 2},${p.y - H / 2})`}
              role="button"
              tabIndex={0}
              aria-label={`${n.label}${n.state !== undefined ? `: ${n.state}` : ''}`}
              aria-pressed={selected === n.id}
              onClick={() => onSelect?.(n.id)}
              onKeyDown={key(n.id)}
            >
              <rect width={W} height={H} rx={7} className={`node-box state-${n.state ?? 'NONE'}`} />
              <text x={10} y={19} className="node-label">
                {n.label.length > 25 ? `${n.label.slice(0, 24)}…` : n.label}
              </text>
              <text x={10} y={36} className="node-sub">
                {[n.sub, n.state === 'SELECTED' ? undefined : n.state]
                  .filter((s) => s !== undefined && s !== '')
                  .join(' · ')}
              </text>
            </g>
          )
        })}
      </svg>
    </div>
  )
}
