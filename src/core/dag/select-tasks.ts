import { SluiceError } from '../sluice-error.js'
import { didYouMean } from '../suggest.js'
import type { TaskGraph } from './task-graph.js'

export interface SelectableTask {
  readonly tags: readonly string[]
  readonly type: string
}

const PART = /^(?:(\d*)\+)?(@)?([^+]+?)(?:\+(\d*))?$/

/**
 * dbt-style selection. Space separates alternatives (union), a comma joins conditions
 * (intersection). Each condition is `name`, `+name` (with ancestors), `name+` (with descendants),
 * `2+name` / `name+1` (limited depth), `@name` (descendants and all their ancestors), a glob
 * (`stg_*`), `tag:x` or `type:x`.
 */
export function selectTasks(
  g: TaskGraph,
  tasks: ReadonlyMap<string, SelectableTask>,
  select: readonly string[],
  exclude: readonly string[] = [],
): Set<number> {
  const all = new Set(g.ids.map((_, i) => i))
  const terms = (exprs: readonly string[]) => exprs.flatMap((e) => e.split(/\s+/)).filter(Boolean)
  const chosen = select.length === 0 ? all : union(terms(select).map((t) => evalTerm(g, tasks, t)))
  for (const i of union(terms(exclude).map((t) => evalTerm(g, tasks, t)))) chosen.delete(i)
  return chosen
}

function union(sets: Set<number>[]): Set<number> {
  const out = new Set<number>()
  for (const s of sets) for (const i of s) out.add(i)
  return out
}

function evalTerm(
  g: TaskGraph,
  tasks: ReadonlyMap<string, SelectableTask>,
  term: string,
): Set<number> {
  const parts = term.split(',').filter(Boolean)
  let acc: Set<number> | undefined
  for (const p of parts) {
    const s = evalPart(g, tasks, p)
    acc = acc === undefined ? s : new Set([...acc].filter((i) => s.has(i)))
  }
  return acc ?? new Set()
}

function evalPart(
  g: TaskGraph,
  tasks: ReadonlyMap<string, SelectableTask>,
  part: string,
): Set<number> {
  const fail = (msg: string, hint?: string) => {
    throw new SluiceError('E_SELECT_INVALID', msg, { hint })
  }
  const method = /^(tag|type):(.+)$/.exec(part)
  if (method) {
    const [, kind, value] = method
    const out = new Set<number>()
    g.ids.forEach((id, i) => {
      const t = tasks.get(id)
      if (t && (kind === 'tag' ? t.tags.includes(value!) : t.type === value)) out.add(i)
    })
    if (out.size === 0) fail(`selector "${part}" matches no task`)
    return out
  }
  const m = PART.exec(part)
  if (!m)
    return fail(
      `cannot read selector "${part}"`,
      'write name, +name, name+, @name, tag:x or type:x',
    )
  const [, up, at, name, down] = m
  const seeds = matchNames(g, name!)
  if (seeds.size === 0) {
    return fail(
      `selector "${part}" names no task`,
      didYouMean(name!, g.ids) ?? `tasks: ${g.ids.slice(0, 10).join(', ')}`,
    )
  }
  let out = new Set(seeds)
  const depth = (s: string | undefined) => (s === undefined ? 0 : s === '' ? Infinity : Number(s))
  if (at) {
    const desc = walk(g.downstream, seeds, Infinity)
    out = union([desc, walk(g.upstream, desc, Infinity)])
  }
  if (up !== undefined) out = union([out, walk(g.upstream, seeds, depth(up))])
  if (down !== undefined) out = union([out, walk(g.downstream, seeds, depth(down))])
  return out
}

function matchNames(g: TaskGraph, pattern: string): Set<number> {
  if (!pattern.includes('*')) {
    const i = g.index.get(pattern)
    return new Set(i === undefined ? [] : [i])
  }
  const re = new RegExp('^' + pattern.split('*').map(escapeRe).join('.*') + '$')
  return new Set(g.ids.flatMap((id, i) => (re.test(id) ? [i] : [])))
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function walk(
  edges: readonly (readonly number[])[],
  start: Set<number>,
  maxDepth: number,
): Set<number> {
  const seen = new Set(start)
  let frontier = [...start]
  for (let d = 0; d < maxDepth && frontier.length > 0; d++) {
    const next: number[] = []
    for (const v of frontier)
      for (const w of edges[v]!)
        if (!seen.has(w)) {
          seen.add(w)
          next.push(w)
        }
    frontier = next
  }
  return seen
}
