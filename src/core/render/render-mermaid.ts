import type { GraphView } from './graph-view.js'
import { STATE_COLORS } from './graph-view.js'

const SAFE_ID = /^[A-Za-z0-9_]+$/
/** Words the flowchart grammar treats as keywords; never used verbatim as node ids. */
const RESERVED = new Set([
  'end',
  'graph',
  'flowchart',
  'subgraph',
  'direction',
  'style',
  'class',
  'classdef',
  'click',
  'call',
  'href',
  'linkstyle',
  'default',
])
const LABEL_ESCAPES: Readonly<Record<string, string>> = {
  '#': '#35;',
  '"': '#quot;',
  '&': '#amp;',
  '<': '#lt;',
  '>': '#gt;',
  '`': '#96;',
}

/**
 * Mermaid `flowchart LR`. Ids that are not plain `[A-Za-z0-9_]+` (or are Mermaid keywords) get
 * synthetic ids `n0`, `n1`…; the real id is always shown in the label. States become `classDef`s
 * coloured from STATE_COLORS; critical tasks get a thicker border.
 */
export function renderMermaid(view: GraphView): string {
  const isSafe = (id: string): boolean => SAFE_ID.test(id) && !RESERVED.has(id.toLowerCase())
  const taken = new Set<string>()
  for (const n of view.nodes) if (isSafe(n.id)) taken.add(n.id)
  for (const e of view.edges) {
    if (isSafe(e.from)) taken.add(e.from)
    if (isSafe(e.to)) taken.add(e.to)
  }
  const alias = new Map<string, string>()
  let next = 0
  const mid = (id: string): string => {
    let a = alias.get(id)
    if (a !== undefined) return a
    if (isSafe(id)) a = id
    else {
      do a = `n${next++}`
      while (taken.has(a))
      taken.add(a)
    }
    alias.set(id, a)
    return a
  }

  const lines = ['flowchart LR']
  const declared = new Set<string>()
  for (const n of view.nodes) {
    if (declared.has(n.id)) continue
    declared.add(n.id)
    lines.push(`  ${mid(n.id)}["${escapeLabel(n.id)}<br/><small>${escapeLabel(n.type)}</small>"]`)
  }
  for (const e of view.edges) lines.push(`  ${mid(e.from)} --> ${mid(e.to)}`)

  const states = new Set<string>()
  for (const n of view.nodes) if (n.state !== undefined) states.add(n.state)
  for (const s of states) {
    const c = STATE_COLORS[s as keyof typeof STATE_COLORS] ?? STATE_COLORS.NONE
    lines.push(`  classDef ${s} fill:${c.fill},stroke:${c.stroke},color:#1f2933`)
  }
  for (const n of view.nodes)
    if (n.state !== undefined) lines.push(`  class ${mid(n.id)} ${n.state}`)
  for (const n of view.nodes)
    if (n.critical === true) lines.push(`  style ${mid(n.id)} stroke-width:3px`)
  return lines.join('\n')
}

function escapeLabel(s: string): string {
  return s.replace(/[#"&<>`]/g, (ch) => LABEL_ESCAPES[ch] ?? ch).replace(/\r?\n|\r/g, ' ')
}
