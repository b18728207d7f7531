import type { GraphView } from './graph-view.js'
import { STATE_COLORS } from './graph-view.js'

/**
 * Graphviz DOT, left to right, one box per task filled with its state colour. Every id is a quoted
 * string: backslashes and quotes are escaped and newlines become `\n`, so any task id survives.
 */
export function renderDot(view: GraphView): string {
  const lines = [
    `digraph ${quote(view.pipeline)} {`,
    '  rankdir=LR;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    `  edge [color=${quote(STATE_COLORS.NONE.stroke)}];`,
  ]
  for (const n of view.nodes) {
    const c = STATE_COLORS[n.state ?? 'NONE'] ?? STATE_COLORS.NONE
    const attrs = [
      `label="${escape(n.id)}\\n${escape(n.type)}"`,
      `fillcolor=${quote(c.fill)}`,
      `color=${quote(c.stroke)}`,
    ]
    if (n.critical === true) attrs.push('penwidth=2.5')
    const tip = [n.state, n.description].filter((s) => s !== undefined && s !== '').join(': ')
    if (tip !== '') attrs.push(`tooltip=${quote(tip)}`)
    lines.push(`  ${quote(n.id)} [${attrs.join(', ')}];`)
  }
  for (const e of view.edges) lines.push(`  ${quote(e.from)} -> ${quote(e.to)};`)
  lines.push('}')
  return lines.join('\n')
}

function escape(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, '\\n')
}

function quote(s: string): string {
  return `"${escape(s)}"`
}
