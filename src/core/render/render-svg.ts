import type { GraphNode, GraphView } from './graph-view.js'
import { STATE_COLORS } from './graph-view.js'

const CHAR_W = 7
const NODE_H = 44
const MIN_W = 96
const PAD_X = 14
const H_GAP = 90
const V_GAP = 18
const MARGIN = 24
const SWEEPS = 8
const EDGE_COLOR = STATE_COLORS.NONE.stroke
const MARKER_ID = 'sluice-arrow'

/**
 * Self-contained SVG drawn with our own layered layout: one column per topological level (left to
 * right), order within a column from a few barycenter sweeps that keep the ordering with the fewest
 * crossings between adjacent columns. Linear-ish in the graph size; 2,000 tasks take milliseconds.
 */
export function renderSvg(view: GraphView): string {
  // Unique nodes (first wins), their columns and adjacency.
  const nodes: GraphNode[] = []
  const index = new Map<string, number>()
  for (const n of view.nodes) {
    if (index.has(n.id)) continue
    index.set(n.id, nodes.length)
    nodes.push(n)
  }
  const levels = [...new Set(nodes.map((n) => n.level))].sort((a, b) => a - b)
  const colOfLevel = new Map(levels.map((l, i) => [l, i]))
  const col = nodes.map((n) => colOfLevel.get(n.level) ?? 0)
  const columns: number[][] = levels.map(() => [])
  nodes.forEach((_, v) => columns[col[v] ?? 0]?.push(v))

  const edges: [number, number][] = []
  const up: number[][] = nodes.map(() => [])
  const down: number[][] = nodes.map(() => [])
  for (const e of view.edges) {
    const u = index.get(e.from)
    const v = index.get(e.to)
    if (u === undefined || v === undefined) continue
    edges.push([u, v])
    if (u !== v) {
      up[v]?.push(u)
      down[u]?.push(v)
    }
  }

  orderColumns(columns, col, up, down, edges)

  // Geometry: every box in a column takes the column's width.
  const boxW = nodes.map((n) => Math.max(MIN_W, textWidth(n) + 2 * PAD_X))
  const colW = columns.map((c) => c.reduce((m, v) => Math.max(m, boxW[v] ?? 0), MIN_W))
  const colX: number[] = []
  let x = MARGIN
  for (const w of colW) {
    colX.push(x)
    x += w + H_GAP
  }
  const colH = columns.map((c) => c.length * NODE_H + Math.max(0, c.length - 1) * V_GAP)
  const innerH = colH.reduce((m, h) => Math.max(m, h), NODE_H)
  const width = Math.max(2 * MARGIN + MIN_W, x - H_GAP + MARGIN)
  const height = innerH + 2 * MARGIN
  const nx = new Array<number>(nodes.length).fill(0)
  const ny = new Array<number>(nodes.length).fill(0)
  columns.forEach((c, ci) => {
    const top = MARGIN + Math.round((innerH - (colH[ci] ?? 0)) / 2)
    const cw = colW[ci] ?? MIN_W
    c.forEach((v, i) => {
      nx[v] = colX[ci] ?? 0
      boxW[v] = cw
      ny[v] = top + i * (NODE_H + V_GAP)
    })
  })

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" role="img">`,
    `<title>${xml(view.pipeline)}</title>`,
    `<defs><marker id="${MARKER_ID}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${EDGE_COLOR}"/></marker></defs>`,
    `<rect class="background" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<g class="edges" fill="none" stroke="${EDGE_COLOR}" stroke-width="1.5">`,
  ]
  for (const [u, v] of edges) {
    const a = nodes[u]
    const b = nodes[v]
    if (!a || !b) continue
    const x1 = (nx[u] ?? 0) + (boxW[u] ?? 0)
    const y1 = (ny[u] ?? 0) + NODE_H / 2
    const x2 = nx[v] ?? 0
    const y2 = (ny[v] ?? 0) + NODE_H / 2
    const dx = Math.max(30, Math.abs(x2 - x1) / 2)
    const d = `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`
    out.push(
      `<path class="edge" data-from="${xml(a.id)}" data-to="${xml(b.id)}" d="${d}" marker-end="url(#${MARKER_ID})"/>`,
    )
  }
  out.push('</g>', '<g class="nodes">')
  nodes.forEach((n, v) => {
    const c = STATE_COLORS[n.state ?? 'NONE'] ?? STATE_COLORS.NONE
    const bx = nx[v] ?? 0
    const by = ny[v] ?? 0
    const bw = boxW[v] ?? MIN_W
    const cx = bx + bw / 2
    const stateAttr = n.state !== undefined ? ` data-state="${xml(n.state)}"` : ''
    const critAttr = n.critical === true ? ' data-critical="true"' : ''
    const tip = [`${n.id} (${n.type})`, n.state, n.description].filter(
      (s) => s !== undefined && s !== '',
    )
    out.push(
      `<g class="node" data-id="${xml(n.id)}"${stateAttr}${critAttr}>`,
      `<title>${xml(tip.join('\n'))}</title>`,
      `<rect x="${bx}" y="${by}" width="${bw}" height="${NODE_H}" rx="8" ry="8" fill="${c.fill}" stroke="${c.stroke}" stroke-width="${n.critical === true ? 3 : 1.5}"/>`,
      `<text x="${cx}" y="${by + 19}" text-anchor="middle" font-size="12" font-weight="bold" fill="#1f2933">${xml(n.id)}</text>`,
      `<text x="${cx}" y="${by + 34}" text-anchor="middle" font-size="11" fill="#52606d">${xml(typeLine(n))}</text>`,
      '</g>',
    )
  })
  out.push('</g>', '</svg>')
  return out.join('\n')
}

function typeLine(n: GraphNode): string {
  return n.state !== undefined ? `${n.type} · ${n.state}` : n.type
}

function textWidth(n: GraphNode): number {
  return Math.max(length(n.id), length(typeLine(n))) * CHAR_W
}

function length(s: string): number {
  let w = 0
  for (const _ of s) w++
  return w
}

/** Escapes XML specials and drops characters XML 1.0 cannot carry at all. */
function xml(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- stripping the control characters XML forbids
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  )
}

/**
 * Barycenter ordering: alternate downward (by upstream positions) and upward (by downstream
 * positions) sweeps, keep the best ordering seen by adjacent-column crossing count. Mutates columns.
 */
function orderColumns(
  columns: number[][],
  col: readonly number[],
  up: readonly (readonly number[])[],
  down: readonly (readonly number[])[],
  edges: readonly (readonly [number, number])[],
): void {
  if (columns.length < 2 || edges.length === 0) return
  const pos = new Float64Array(col.length)
  const place = (c: readonly number[]): void => {
    const mid = (c.length - 1) / 2
    c.forEach((v, i) => (pos[v] = i - mid))
  }
  columns.forEach(place)

  let best = columns.map((c) => c.slice())
  let bestCrossings = countCrossings(columns, col, edges)
  const bary = new Float64Array(col.length)
  for (let sweep = 0; sweep < SWEEPS && bestCrossings > 0; sweep++) {
    const downward = sweep % 2 === 0
    const neighbours = downward ? up : down
    const start = downward ? 1 : columns.length - 2
    const step = downward ? 1 : -1
    for (let ci = start; ci >= 0 && ci < columns.length; ci += step) {
      const c = columns[ci]
      if (!c || c.length < 2) continue
      for (const v of c) {
        const ns = neighbours[v] ?? []
        let sum = 0
        for (const u of ns) sum += pos[u] ?? 0
        bary[v] = ns.length > 0 ? sum / ns.length : (pos[v] ?? 0)
      }
      const order = c.map((v, i) => ({ v, i }))
      order.sort((a, b) => (bary[a.v] ?? 0) - (bary[b.v] ?? 0) || a.i - b.i)
      order.forEach((o, i) => (c[i] = o.v))
      place(c)
    }
    const crossings = countCrossings(columns, col, edges)
    if (crossings < bestCrossings) {
      bestCrossings = crossings
      best = columns.map((c) => c.slice())
    }
  }
  best.forEach((c, ci) => (columns[ci] = c))
}

/** Crossings among edges joining adjacent columns (inversion count with a Fenwick tree). */
function countCrossings(
  columns: readonly (readonly number[])[],
  col: readonly number[],
  edges: readonly (readonly [number, number])[],
): number {
  const idx = new Int32Array(col.length)
  for (const c of columns) c.forEach((v, i) => (idx[v] = i))
  const byGap = new Map<number, [number, number][]>()
  for (const [u, v] of edges) {
    const cu = col[u] ?? 0
    const cv = col[v] ?? 0
    if (Math.abs(cu - cv) !== 1) continue
    const [a, b] = cu < cv ? [u, v] : [v, u]
    const gap = Math.min(cu, cv)
    const pair: [number, number] = [idx[a] ?? 0, idx[b] ?? 0]
    const list = byGap.get(gap)
    if (list) list.push(pair)
    else byGap.set(gap, [pair])
  }
  let total = 0
  for (const [gap, pairs] of byGap) {
    pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1])
    const size = (columns[gap + 1]?.length ?? 0) + 1
    const tree = new Int32Array(size + 1)
    let seen = 0
    for (const [, b] of pairs) {
      // count earlier pairs whose lower end is strictly greater than b
      let le = 0
      for (let i = b + 1; i > 0; i -= i & -i) le += tree[i] ?? 0
      total += seen - le
      for (let i = b + 1; i <= size; i += i & -i) tree[i] = (tree[i] ?? 0) + 1
      seen++
    }
  }
  return total
}
