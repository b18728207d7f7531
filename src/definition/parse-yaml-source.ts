import type { ValidationIssue } from '../core/validation-issue.js'
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type YAMLMap,
} from 'yaml'
import { setOwn } from '../core/set-own.js'
import { appendPath, PositionMap, type Position } from './position-map.js'

export interface ParsedSource {
  /** Plain data, or undefined when the YAML could not be parsed. */
  readonly value: unknown
  readonly positions: PositionMap
  readonly issues: ValidationIssue[]
}

/** Limits that keep hostile input (alias bombs, deep nesting) from eating memory or the stack. */
const MAX_DEPTH = 100
const MAX_ALIAS_NODES = 100_000

class LoadLimit extends Error {}

/**
 * Parses YAML into plain data while recording the position of every value and key. Duplicate
 * keys are reported (the first one wins), merge keys (`<<`) are applied, and an unquoted
 * `{{ template }}` (which YAML reads as a nested map) is reported and read as the text it was.
 */
export function parseYamlSource(text: string, file: string): ParsedSource {
  const lineCounter = new LineCounter()
  const positions = new PositionMap()
  const issues: ValidationIssue[] = []
  let doc: Document.Parsed
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, merge: false })
  } catch (e) {
    issues.push({ severity: 'error', code: 'E_YAML_SYNTAX', message: String(e), file })
    return { value: undefined, positions, issues }
  }
  const at = (offset: number | undefined, style?: string): Position => {
    const p = lineCounter.linePos(offset ?? 0)
    return { line: p.line, col: p.col, ...(style !== undefined && { style }) }
  }
  for (const err of doc.errors) {
    const p = at(err.pos[0])
    issues.push({
      severity: 'error',
      code: 'E_YAML_SYNTAX',
      message: err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      file,
      line: p.line,
      col: p.col,
      suggestion: 'check indentation, colons and quotes around this line',
    })
  }
  if (issues.length > 0) return { value: undefined, positions, issues }

  let aliasNodes = 0
  const expanding = new Set<Node>()
  const resolved = new Map<Node, Node | undefined>()
  const limit = (message: string, path: string): never => {
    issues.push({ severity: 'error', code: 'E_YAML_SYNTAX', message, file, path })
    throw new LoadLimit(message)
  }
  const convert = (node: Node | null | undefined, path: string, depth: number): unknown => {
    if (node === null || node === undefined) return null
    if (expanding.size > 0 && ++aliasNodes > MAX_ALIAS_NODES)
      limit(`aliases expand to more than ${MAX_ALIAS_NODES} values (an alias bomb?)`, path)
    if (depth > MAX_DEPTH) limit(`values nest more than ${MAX_DEPTH} levels deep`, path)
    if (isAlias(node)) {
      let target = resolved.get(node)
      if (target === undefined && !resolved.has(node)) {
        target = node.resolve(doc) // searches the document: do it once per alias
        resolved.set(node, target)
      }
      if (target === undefined) return null
      if (expanding.has(target))
        limit(`alias *${node.source} refers to the value that contains it`, path)
      expanding.add(target)
      try {
        return convert(target, path, depth + 1)
      } finally {
        expanding.delete(target)
      }
    }
    const style = isScalar(node) ? String(node.type) : undefined
    const pos = at(node.range?.[0], style)
    positions.setValue(
      path,
      style === 'BLOCK_LITERAL'
        ? { ...pos, contentCol: blockContentCol(text, node.range![0]) }
        : pos,
    )
    if (isScalar(node)) return node.value
    if (isSeq(node))
      return node.items.map((item, i) => convert(item as Node, appendPath(path, i), depth + 1))
    if (isMap(node)) {
      if (isUnquotedTemplate(node)) {
        const src = text.slice(node.range![0], node.range![1]).trim()
        const p = at(node.range![0])
        issues.push({
          severity: 'error',
          code: 'E_TEMPLATE_UNQUOTED',
          message: `YAML reads an unquoted ${src} as a mapping`,
          suggestion: `put it in quotes: "${src}"`,
          file,
          line: p.line,
          col: p.col,
          path,
        })
        return src
      }
      return convertMap(node, path, depth)
    }
    return null
  }

  const convertMap = (node: YAMLMap, path: string, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    const firstSeen = new Map<string, number>()
    const merged: Record<string, unknown>[] = []
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode)
      const keyPos = at(keyNode?.range?.[0])
      if (key === '<<' && (isAlias(pair.value) || isSeq(pair.value))) {
        const sources = isSeq(pair.value) ? pair.value.items : [pair.value]
        for (const s of sources) {
          const v = convert(s as Node, appendPath(path, '<<'), depth + 1)
          if (v !== null && typeof v === 'object' && !Array.isArray(v))
            merged.push(v as Record<string, unknown>)
        }
        continue
      }
      if (firstSeen.has(key)) {
        const isTask = path === 'tasks'
        issues.push({
          severity: 'error',
          code: isTask ? 'E_TASK_DUPLICATE' : 'E_YAML_DUPLICATE_KEY',
          message: isTask
            ? `task id "${key}" is defined twice (first at line ${firstSeen.get(key)})`
            : `key "${key}" appears twice (first at line ${firstSeen.get(key)})`,
          suggestion: isTask ? 'rename one of the tasks' : 'remove one of them',
          file,
          line: keyPos.line,
          col: keyPos.col,
          path: appendPath(path, key),
        })
        continue
      }
      firstSeen.set(key, keyPos.line)
      const child = appendPath(path, key)
      positions.setKey(child, keyPos)
      setOwn(out, key, convert(pair.value as Node | null, child, depth + 1))
      if (pair.value === null) positions.setValue(child, keyPos)
    }
    for (const m of merged)
      for (const [k, v] of Object.entries(m)) if (!Object.hasOwn(out, k)) setOwn(out, k, v)
    return out
  }

  let value: unknown
  try {
    value = convert(doc.contents, '', 0)
  } catch (e) {
    if (!(e instanceof LoadLimit)) throw e
    return { value: undefined, positions, issues }
  }
  return { value, positions, issues }
}

/** `{{ x }}` unquoted: a flow map whose only key is itself a flow map. */
function isUnquotedTemplate(node: YAMLMap): boolean {
  if (!node.flow || node.items.length !== 1) return false
  const pair = node.items[0]!
  return (
    isMap(pair.key) &&
    pair.key.flow === true &&
    (pair.value === null || (isScalar(pair.value) && pair.value.value === null))
  )
}

/** The 1-based column of a block scalar's content: the indent of its first non-blank line. */
function blockContentCol(text: string, start: number): number | undefined {
  const nl = text.indexOf('\n', start)
  if (nl === -1) return undefined
  const content = /(?:[ \t]*\r?\n)*( *)\S/y // sticky: reads from lastIndex, copies nothing
  content.lastIndex = nl + 1
  const m = content.exec(text)
  return m ? m[1]!.length + 1 : undefined
}
