import type { GraphNode, GraphView } from './graph-view.js'
import { STATE_COLORS } from './graph-view.js'

const GAP = '  '
const ANSI_RESET = '\u001b[0m'

/**
 * Terminal rendering grouped by topological level: one line per task with its type, state,
 * critical-path marker (`*`) and the upstream tasks it waits for (`◀ a, b`). Columns are aligned
 * on visible width; lines never end in spaces. ANSI colours only when `opts.color` is true.
 */
export function renderAscii(view: GraphView, opts: { readonly color?: boolean } = {}): string {
  const color = opts.color === true
  const levels = groupByLevel(view.nodes)
  const lines: string[] = []
  const header = `${view.pipeline}: ${plural(view.nodes.length, 'task')}`
  lines.push(view.nodes.length === 0 ? header : `${header}, ${plural(levels.length, 'level')}`)
  if (view.nodes.length === 0) return lines.join('\n')

  const upstream = new Map<string, string[]>()
  for (const e of view.edges) {
    const list = upstream.get(e.to)
    if (list) list.push(e.from)
    else upstream.set(e.to, [e.from])
  }

  const idText = (n: GraphNode): string => (n.critical === true ? `${n.id}*` : n.id)
  const stateText = (n: GraphNode): string => (n.state === undefined ? '' : `[${n.state}]`)
  const levelText = (level: number): string => `level ${level}`

  const levelWidth = maxOf(levels.map(([level]) => width(levelText(level))))
  const idWidth = maxOf(view.nodes.map((n) => width(idText(n))))
  const typeWidth = maxOf(view.nodes.map((n) => width(n.type)))
  const stateWidth = maxOf(view.nodes.map((n) => width(stateText(n))))

  for (const [level, nodes] of levels) {
    nodes.forEach((n, i) => {
      const label = i === 0 ? levelText(level) : ''
      const cells = [
        pad(label, levelWidth),
        `${bracket(i, nodes.length)} ${pad(idText(n), idWidth)}`,
        pad(n.type, typeWidth),
      ]
      if (stateWidth > 0) {
        const state = stateText(n)
        const painted = color && n.state !== undefined ? paint(state, n.state) : state
        cells.push(painted + ' '.repeat(stateWidth - width(state)))
      }
      const ups = upstream.get(n.id)
      if (ups) cells.push(`◀ ${ups.join(', ')}`)
      lines.push(cells.join(GAP).trimEnd())
    })
  }
  if (view.nodes.some((n) => n.critical === true)) lines.push('* on the critical path')
  return lines.join('\n')
}

function groupByLevel(nodes: readonly GraphNode[]): [number, GraphNode[]][] {
  const byLevel = new Map<number, GraphNode[]>()
  for (const n of nodes) {
    const list = byLevel.get(n.level)
    if (list) list.push(n)
    else byLevel.set(n.level, [n])
  }
  return [...byLevel.entries()].sort((a, b) => a[0] - b[0])
}

function bracket(i: number, count: number): string {
  if (count === 1) return '─'
  if (i === 0) return '┌'
  return i === count - 1 ? '└' : '├'
}

function paint(text: string, state: keyof typeof STATE_COLORS): string {
  const code = (STATE_COLORS[state] ?? STATE_COLORS.NONE).ansi
  return `\u001b[${code}m${text}${ANSI_RESET}`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** Visible width in code points (good enough for ids and types). */
function width(s: string): number {
  let w = 0
  for (const _ of s) w++
  return w
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)))
}

function maxOf(values: readonly number[]): number {
  return values.reduce((m, v) => Math.max(m, v), 0)
}
