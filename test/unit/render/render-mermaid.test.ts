import { describe, it, expect } from 'vitest'
import { renderMermaid, STATE_COLORS } from '../../../src/core/render/index.js'
import type { GraphView } from '../../../src/core/render/index.js'
import { diamond, empty, ordersDaily, single } from './fixtures.js'

const NODE = /^\s+([A-Za-z0-9_]+)\["(.*)"\]$/
const EDGE = /^\s+([A-Za-z0-9_]+) --> ([A-Za-z0-9_]+)$/
const CLASS_DEF =
  /^\s+classDef ([A-Za-z0-9_]+) fill:(#[0-9a-f]{6}),stroke:(#[0-9a-f]{6})(,[a-z-]+:[^\s,]+)*$/
const CLASS = /^\s+class ([A-Za-z0-9_]+(?:,[A-Za-z0-9_]+)*) ([A-Za-z0-9_]+)$/
const STYLE = /^\s+style ([A-Za-z0-9_]+) [a-z-]+:[^\s,]+(,[a-z-]+:[^\s,]+)*$/

interface Checked {
  /** mermaid id → label */
  nodes: Map<string, string>
  edges: [string, string][]
  classDefs: Map<string, { fill: string; stroke: string }>
  classes: [string, string][]
  styles: string[]
}

/** Structural check of our flowchart dialect (mermaid itself is not a dependency). */
function check(text: string): Checked {
  const [first, ...rest] = text.split('\n')
  expect(first).toBe('flowchart LR')
  const out: Checked = {
    nodes: new Map(),
    edges: [],
    classDefs: new Map(),
    classes: [],
    styles: [],
  }
  for (const line of rest) {
    let m: RegExpMatchArray | null
    if ((m = NODE.exec(line))) {
      expect(out.nodes.has(m[1]!), `duplicate node ${m[1]}`).toBe(false)
      expect(m[2]).not.toMatch(/"/)
      out.nodes.set(m[1]!, m[2]!)
    } else if ((m = EDGE.exec(line))) out.edges.push([m[1]!, m[2]!])
    else if ((m = CLASS_DEF.exec(line))) out.classDefs.set(m[1]!, { fill: m[2]!, stroke: m[3]! })
    else if ((m = CLASS.exec(line)))
      for (const id of m[1]!.split(',')) out.classes.push([id, m[2]!])
    else if ((m = STYLE.exec(line))) out.styles.push(m[1]!)
    else expect.fail(`unexpected line: ${JSON.stringify(line)}`)
  }
  for (const [a, b] of out.edges) {
    expect(out.nodes.has(a), `edge from undeclared ${a}`).toBe(true)
    expect(out.nodes.has(b), `edge to undeclared ${b}`).toBe(true)
  }
  for (const [id, cls] of out.classes) {
    expect(out.nodes.has(id)).toBe(true)
    expect(out.classDefs.has(cls)).toBe(true)
  }
  for (const id of out.styles) expect(out.nodes.has(id)).toBe(true)
  return out
}

/** Undo our label escapes to recover the real id shown in a label. */
function labelId(label: string): string {
  const raw = label.split('<br/>')[0]!
  return raw
    .replace(/#quot;/g, '"')
    .replace(/#lt;/g, '<')
    .replace(/#gt;/g, '>')
    .replace(/#amp;/g, '&')
    .replace(/#96;/g, '`')
    .replace(/#35;/g, '#')
}

function idMap(c: Checked): Map<string, string> {
  return new Map([...c.nodes].map(([mid, label]) => [labelId(label), mid]))
}

function checkView(view: GraphView): Checked {
  const c = check(renderMermaid(view))
  expect(c.nodes.size).toBe(view.nodes.length)
  expect(c.edges).toHaveLength(view.edges.length)
  const ids = idMap(c)
  expect([...ids.keys()]).toEqual(view.nodes.map((n) => n.id))
  expect(c.edges).toEqual(view.edges.map((e) => [ids.get(e.from), ids.get(e.to)]))
  return c
}

describe('renderMermaid', () => {
  it('renders a flowchart with a labelled node per task and an edge per dependency', () => {
    const text = renderMermaid(ordersDaily)
    expect(text).toContain('  clean["clean<br/><small>sql</small>"]')
    expect(text).toContain('  orders --> clean')
    const c = checkView(ordersDaily)
    expect(c.classDefs.size).toBe(0)
    expect(c.classes).toHaveLength(0)
  })

  it('maps unsafe ids to n0, n1… and keeps the real id in the label (diamond)', () => {
    const c = checkView(diamond)
    const ids = idMap(c)
    expect(ids.get('right_side')).toBe('right_side')
    expect(ids.get('a-b')).toMatch(/^n\d+$/)
    expect(ids.get('left side')).toMatch(/^n\d+$/)
    expect(ids.get('say "hi"\\now')).toMatch(/^n\d+$/)
    expect(new Set(ids.values()).size).toBe(4)
    expect(c.nodes.get(ids.get('say "hi"\\now')!)).toBe(
      'say #quot;hi#quot;\\now<br/><small>load</small>',
    )
  })

  it('never lets a synthetic id collide with a real one, nor uses keywords', () => {
    const view: GraphView = {
      pipeline: 'p',
      nodes: [
        { id: 'x-y', type: 't', level: 0 },
        { id: 'n0', type: 't', level: 0 },
        { id: 'end', type: 't', level: 1 },
        { id: '<b>#1&', type: 't', level: 1 },
      ],
      edges: [
        { from: 'x-y', to: 'end' },
        { from: 'n0', to: '<b>#1&' },
      ],
    }
    const c = checkView(view)
    const ids = idMap(c)
    expect(ids.get('n0')).toBe('n0')
    expect(ids.get('x-y')).not.toBe('n0')
    expect(ids.get('end')).not.toBe('end')
    expect(c.nodes.get(ids.get('<b>#1&')!)).toBe('#lt;b#gt;#35;1#amp;<br/><small>t</small>')
  })

  it('adds classDef and class lines for states and styles critical tasks', () => {
    const c = checkView(diamond)
    const ids = idMap(c)
    expect([...c.classDefs.keys()].sort()).toEqual(['FAILED', 'PENDING', 'RUNNING', 'SUCCESS'])
    expect(c.classDefs.get('FAILED')).toEqual({
      fill: STATE_COLORS.FAILED.fill,
      stroke: STATE_COLORS.FAILED.stroke,
    })
    expect(c.classes).toContainEqual([ids.get('right_side'), 'FAILED'])
    expect(c.classes).toContainEqual([ids.get('a-b'), 'SUCCESS'])
    expect(c.classes).toHaveLength(4)
    expect(c.styles.sort()).toEqual(
      [ids.get('a-b')!, ids.get('left side')!, ids.get('say "hi"\\now')!].sort(),
    )
  })

  it('handles a single node and an empty graph', () => {
    checkView(single)
    expect(renderMermaid(empty)).toBe('flowchart LR')
  })
})
