import type { ValidationIssue } from '../core/validation-issue.js'
import { pathToString, type PathSegment } from './position-map.js'

const MAX_DEPTH = 100

/** The one place a spec built in code may hold a function: `tasks.<id>.map | transform`. */
function isInlineTransform(path: readonly PathSegment[]): boolean {
  return path.length === 3 && path[0] === 'tasks' && (path[2] === 'map' || path[2] === 'transform')
}

/**
 * A spec built in code must be plain JSON-like data: no cycles, BigInts, functions, symbols or
 * class instances, and not nested absurdly deep; the exception is a transform task's inline
 * `map` / `transform` function (TS pipelines pass code directly). Returns one issue per problem (at most 20).
 */
export function plainDataIssues(value: unknown, file: string): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const onPath = new Set<object>()
  const add = (path: PathSegment[], message: string) => {
    if (issues.length < 20)
      issues.push({
        severity: 'error',
        code: 'E_SCHEMA_TYPE',
        message,
        file,
        path: pathToString(path),
      })
  }
  const walk = (v: unknown, path: PathSegment[]): void => {
    if (issues.length >= 20) return
    const t = typeof v
    if (t === 'function' && isInlineTransform(path)) return
    if (t === 'bigint' || t === 'function' || t === 'symbol') {
      add(
        path,
        `${pathToString(path) || 'the spec'} is a ${t}; a pipeline spec holds only JSON-like data`,
      )
      return
    }
    if (t === 'number' && !Number.isFinite(v)) {
      add(path, `${pathToString(path)} is ${String(v)}; numbers must be finite`)
      return
    }
    if (v === null || t !== 'object') return
    const o = v as object
    if (path.length > MAX_DEPTH) {
      add(path, `the spec nests more than ${MAX_DEPTH} levels deep`)
      return
    }
    if (onPath.has(o)) {
      add(path, `${pathToString(path)} refers back to one of its parents (a cycle)`)
      return
    }
    const proto: unknown = Object.getPrototypeOf(o)
    if (!Array.isArray(o) && proto !== Object.prototype && proto !== null) {
      add(
        path,
        `${pathToString(path) || 'the spec'} is a ${o.constructor?.name ?? 'class instance'}; use plain objects`,
      )
      return
    }
    onPath.add(o)
    if (Array.isArray(o)) o.forEach((x, i) => walk(x, [...path, i]))
    else for (const [k, x] of Object.entries(o)) walk(x, [...path, k])
    onPath.delete(o)
  }
  walk(value, [])
  return issues
}
