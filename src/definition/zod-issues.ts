import { z } from 'zod'
import type { ErrorCode } from '../core/error-codes.js'
import { didYouMean } from '../core/suggest.js'
import type { ValidationIssue } from '../core/validation-issue.js'
import { pathToString, type PathSegment, type PositionMap } from './position-map.js'

type ZIssue = z.core.$ZodIssue

/**
 * Turns zod issues into sluice issues with codes, positions and "did you mean" for unknown keys
 * and enum values. Union failures are narrowed to the branch that fits the value best.
 */
export function zodIssues(
  schema: z.ZodType,
  data: unknown,
  base: readonly PathSegment[],
  file: string,
  positions: PositionMap | undefined,
): ValidationIssue[] {
  const r = schema.safeParse(data)
  if (r.success) return []
  const out: ValidationIssue[] = []
  for (const issue of flatten(r.error.issues, data)) {
    const path = [...base, ...(issue.path as PathSegment[])]
    const at = (p: readonly PathSegment[], key = false) => {
      const pos = key ? positions?.key(p) : positions?.value(p)
      return { file, path: pathToString(p), ...(pos && { line: pos.line, col: pos.col }) }
    }
    const push = (
      code: ErrorCode,
      message: string,
      where: ReturnType<typeof at>,
      suggestion?: string,
    ) =>
      out.push({
        severity: 'error',
        code,
        message,
        ...where,
        ...(suggestion !== undefined && { suggestion }),
      })
    const value = valueAt(data, issue.path as PathSegment[])
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeys(schema, issue.path as PathSegment[])
        for (const key of issue.keys) {
          push(
            'E_SCHEMA_UNKNOWN_KEY',
            `unknown key "${key}"${where(path)}`,
            at([...path, key], true),
            didYouMean(key, known) ??
              (known.length > 0 ? `known keys: ${known.join(', ')}` : undefined),
          )
        }
        break
      }
      case 'invalid_type':
        if (value === undefined) {
          push(
            'E_SCHEMA_REQUIRED',
            `missing required key "${String(path[path.length - 1])}"${where(path.slice(0, -1))}`,
            at(path.slice(0, -1)),
          )
        } else
          push(
            'E_SCHEMA_TYPE',
            `${pathToString(path)} must be ${issue.expected}, not ${describe(value)}`,
            at(path),
          )
        break
      case 'invalid_value': {
        const allowed = issue.values.map(String)
        push(
          'E_SCHEMA_VALUE',
          `${pathToString(path)} is ${JSON.stringify(value)}; allowed: ${allowed.join(', ')}`,
          at(path),
          typeof value === 'string' ? didYouMean(value, allowed) : undefined,
        )
        break
      }
      case 'custom': {
        const code = (issue.params as { code?: ErrorCode } | undefined)?.code ?? 'E_SCHEMA_VALUE'
        push(code, `${pathToString(path)}: ${issue.message}`, at(path))
        break
      }
      default:
        push('E_SCHEMA_VALUE', `${pathToString(path)}: ${lowerFirst(issue.message)}`, at(path))
    }
  }
  return out
}

function where(path: readonly PathSegment[]): string {
  if (path.length === 0) return ' at the top level'
  if (path[0] === 'tasks' && path.length === 2) return ` in task ${String(path[1])}`
  return ` in ${pathToString(path)}`
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1)
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'a mapping'
  return `${typeof v} ${JSON.stringify(v)}`
}

export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = data
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string | number, unknown>)[seg]
  }
  return cur
}

/** Picks, for each union failure, the branch whose errors go deepest into the value. */
function flatten(issues: readonly ZIssue[], data: unknown, prefix: PathSegment[] = []): ZIssue[] {
  const out: ZIssue[] = []
  for (const issue of issues) {
    const full = [...prefix, ...(issue.path as PathSegment[])]
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const v = valueAt(data, full)
      const scored = issue.errors.map((branch) => {
        const typeMiss = branch.some((b) => b.code === 'invalid_type' && b.path.length === 0)
        const depth = Math.max(0, ...branch.map((b) => b.path.length))
        return { branch, score: (typeMiss ? 0 : 100) + depth }
      })
      scored.sort((a, b) => b.score - a.score)
      const best = scored[0]!
      if (best.score < 100 && v !== undefined) {
        out.push({
          ...issue,
          code: 'custom',
          path: full,
          message: `${describe(v)} is not allowed here`,
          params: { code: 'E_SCHEMA_TYPE' },
        })
      } else out.push(...flatten(best.branch, data, full))
    } else out.push({ ...issue, path: full })
  }
  return out
}

/** The keys an object schema at `path` allows (for "did you mean"). */
function knownKeys(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let cur: z.ZodType[] = [schema]
  for (const seg of path) {
    const next: z.ZodType[] = []
    for (const s of cur.flatMap(unwrap)) {
      if (s instanceof z.ZodObject && typeof seg === 'string') {
        const child = (s.shape as Record<string, z.ZodType>)[seg]
        if (child) next.push(child)
      } else if (s instanceof z.ZodRecord) next.push(s.valueType as z.ZodType)
      else if (s instanceof z.ZodArray) next.push(s.element as z.ZodType)
    }
    cur = next
  }
  return [
    ...new Set(
      cur.flatMap(unwrap).flatMap((s) => (s instanceof z.ZodObject ? Object.keys(s.shape) : [])),
    ),
  ]
}

function unwrap(s: z.ZodType): z.ZodType[] {
  if (s instanceof z.ZodOptional || s instanceof z.ZodNullable)
    return unwrap(s.unwrap() as z.ZodType)
  if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).flatMap(unwrap)
  return [s]
}
