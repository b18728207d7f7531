import { describe, it, expect } from 'vitest'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { renderSvg, STATE_COLORS } from '../../../src/core/render/index.js'
import type { GraphView } from '../../../src/core/render/index.js'
import { diamond, empty, ordersDaily, randomDag, single, twisted } from './fixtures.js'

interface El {
  tag: string
  attrs: Record<string, string>
  children: El[]
  text: string
}

type Raw = Record<string, unknown>

function toEls(raw: unknown): El[] {
  const out: El[] = []
  for (const item of raw as Raw[]) {
    const tag = Object.keys(item).find((k) => k !== ':@')
    if (tag === undefined || tag === '#text') continue
    const attrs: Record<string, string> = {}
    for (const [k, v] of Object.entries((item[':@'] ?? {}) as Record<string, unknown>)) {
      attrs[k.replace(/^@_/, '')] = String(v)
    }
    const kids = item[tag] as Raw[]
    const text = kids
      .filter((k) => '#text' in k)
      .map((k) => String(k['#text']))
      .join('')
    out.push({ tag, attrs, children: toEls(kids), text })
  }
  return out
}

function all(el: El, pred: (e: El) => boolean, acc: El[] = []): El[] {
  if (pred(el)) acc.push(el)
  for (const c of el.children) all(c, pred, acc)
  return acc
}

const hasClass = (e: El, c: string): boolean => (e.attrs.class ?? '').split(/\s+/).includes(c)

interface Box {
  id: string
  x: number
  y: number
  w: number
  h: number
  rect: El
}

function parseSvg(svg: string): { root: El; viewBox: number[]; boxes: Box[]; edges: El[] } {
  expect(XMLValidator.validate(svg)).toBe(true)
  const root = toEls(new XMLParser({ ignoreAttributes: false, preserveOrder: true }).parse(svg))[0]!
  expect(root.tag).toBe('svg')
  const viewBox = (root.attrs.viewBox ?? '').split(/\s+/).map(Number)
  const boxes = all(root, (e) => e.tag === 'g' && hasClass(e, 'node')).map((g) => {
    const rects = g.children.filter((c) => c.tag === 'rect')
    expect(rects).toHaveLength(1)
    const rect = rects[0]!
    return {
      id: g.attrs['data-id']!,
      x: Number(rect.attrs.x),
      y: Number(rect.attrs.y),
      w: Number(rect.attrs.width),
      h: Number(rect.attrs.height),
      rect,
    }
  })
  const edges = all(root, (e) => e.tag === 'path' && hasClass(e, 'edge'))
  return { root, viewBox, boxes, edges }
}

function checkStructure(view: GraphView, svg: string): Box[] {
  const { root, viewBox, boxes, edges } = parseSvg(svg)
  expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg')
  expect(viewBox).toHaveLength(4)
  expect(viewBox.every(Number.isFinite)).toBe(true)
  const [vx, vy, vw, vh] = viewBox as [number, number, number, number]
  expect(Number(root.attrs.width)).toBe(vw)
  expect(Number(root.attrs.height)).toBe(vh)
  expect(root.children.find((c) => c.tag === 'title')?.text).toBe(view.pipeline)

  expect(boxes).toHaveLength(view.nodes.length)
  expect(new Set(boxes.map((b) => b.id))).toEqual(new Set(view.nodes.map((n) => n.id)))
  expect(edges).toHaveLength(view.edges.length)
  const ids = new Set(boxes.map((b) => b.id))
  for (const e of edges) {
    expect(ids.has(e.attrs['data-from']!)).toBe(true)
    expect(ids.has(e.attrs['data-to']!)).toBe(true)
    expect(e.attrs.d).toMatch(/^M[-\d.]+,[-\d.]+ C/)
  }
  expect(edges.map((e) => [e.attrs['data-from'], e.attrs['data-to']])).toEqual(
    view.edges.map((e) => [e.from, e.to]),
  )

  for (const b of boxes) {
    expect(b.w).toBeGreaterThan(0)
    expect(b.h).toBeGreaterThan(0)
    expect(b.x).toBeGreaterThanOrEqual(vx)
    expect(b.y).toBeGreaterThanOrEqual(vy)
    expect(b.x + b.w).toBeLessThanOrEqual(vx + vw)
    expect(b.y + b.h).toBeLessThanOrEqual(vy + vh)
  }
  expect(overlaps(boxes)).toEqual([])
  return boxes
}

/** Pairs of overlapping boxes, found with a sweep over x so big graphs stay cheap. */
function overlaps(boxes: Box[]): [string, string][] {
  const sorted = [...boxes].sort((a, b) => a.x - b.x)
  const found: [string, string][] = []
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j]!
      if (b.x >= a.x + a.w) break
      if (a.y < b.y + b.h && b.y < a.y + a.h) found.push([a.id, b.id])
    }
  }
  return found
}

/** Crossings between edges whose ends sit in adjacent columns, from the drawn positions. */
function drawnCrossings(view: GraphView, boxes: Box[]): number {
  const at = new Map(boxes.map((b) => [b.id, b]))
  const level = new Map(view.nodes.map((n) => [n.id, n.level]))
  const segs = view.edges
    .filter((e) => (level.get(e.to) ?? 0) - (level.get(e.from) ?? 0) === 1)
    .map((e) => ({ l: level.get(e.from)!, a: at.get(e.from)!.y, b: at.get(e.to)!.y }))
  let n = 0
  for (let i = 0; i < segs.length; i++)
    for (let j = i + 1; j < segs.length; j++) {
      const s = segs[i]!
      const t = segs[j]!
      if (s.l === t.l && (s.a - t.a) * (s.b - t.b) < 0) n++
    }
  return n
}

describe('renderSvg', () => {
  it('draws every task and edge of a small pipeline inside the viewBox', () => {
    const boxes = checkStructure(ordersDaily, renderSvg(ordersDaily))
    const x = new Map(boxes.map((b) => [b.id, b.x]))
    // levels go left to right
    expect(x.get('orders')).toBe(x.get('customers'))
    expect(x.get('orders')!).toBeLessThan(x.get('clean')!)
    expect(x.get('clean')!).toBeLessThan(x.get('load')!)
  })

  it('handles a diamond with odd ids, escaping XML specials', () => {
    const svg = renderSvg(diamond)
    checkStructure(diamond, svg)
    expect(svg).toContain('data-id="say &quot;hi&quot;\\now"')
    expect(svg).toContain('x &lt; y &amp; &quot;z&quot;')
    expect(svg).toContain('<title>diamond &quot;odd&quot; &lt;&amp;&gt;</title>')
    expect(svg).not.toContain('<&>')
    // no raw < inside attribute values, no bare &
    for (const m of svg.matchAll(/="([^"]*)"/g)) expect(m[1]).not.toMatch(/[<>]/)
    expect(svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;)/)
    // the description ends up in the node's tooltip
    const { root } = parseSvg(svg)
    const right = all(root, (e) => e.tag === 'g' && e.attrs['data-id'] === 'right_side')[0]!
    expect(right.children.find((c) => c.tag === 'title')?.text).toContain('x < y & "z"')
  })

  it('colours rects by state and thickens critical tasks', () => {
    const boxes = checkStructure(diamond, renderSvg(diamond))
    const rect = (id: string): El => boxes.find((b) => b.id === id)!.rect
    expect(rect('right_side').attrs.fill).toBe(STATE_COLORS.FAILED.fill)
    expect(rect('right_side').attrs.stroke).toBe(STATE_COLORS.FAILED.stroke)
    expect(rect('a-b').attrs.fill).toBe(STATE_COLORS.SUCCESS.fill)
    expect(Number(rect('a-b').attrs['stroke-width'])).toBeGreaterThan(
      Number(rect('right_side').attrs['stroke-width']),
    )
    const plain = checkStructure(single, renderSvg(single))
    expect(plain[0]!.rect.attrs.fill).toBe(STATE_COLORS.NONE.fill)
  })

  it('handles a single node, no edges and an empty graph', () => {
    checkStructure(single, renderSvg(single))
    const { boxes, edges, viewBox } = parseSvg(renderSvg(empty))
    expect(boxes).toHaveLength(0)
    expect(edges).toHaveLength(0)
    expect(viewBox[2]).toBeGreaterThan(0)
    const noEdges: GraphView = {
      pipeline: 'flat',
      nodes: [
        { id: 'x', type: 'a', level: 0 },
        { id: 'y', type: 'a', level: 0 },
        { id: 'z', type: 'a', level: 0 },
      ],
      edges: [],
    }
    checkStructure(noEdges, renderSvg(noEdges))
  })

  it('sizes boxes to fit long ids', () => {
    const long = 'a_very_long_task_identifier_that_needs_room'
    const view: GraphView = {
      pipeline: 'p',
      nodes: [{ id: long, type: 'sql', level: 0 }],
      edges: [],
    }
    const [box] = checkStructure(view, renderSvg(view))
    expect(box!.w).toBeGreaterThanOrEqual(long.length * 7)
  })

  it('untangles crossings with the barycenter sweeps', () => {
    const boxes = checkStructure(twisted, renderSvg(twisted))
    expect(drawnCrossings(twisted, boxes)).toBe(0)
  })

  it('lays out 2,000 tasks quickly without overlaps', () => {
    const view = randomDag(2000)
    const started = performance.now()
    const svg = renderSvg(view)
    const elapsed = performance.now() - started
    expect(elapsed).toBeLessThan(1000)
    checkStructure(view, svg)
  })
})
