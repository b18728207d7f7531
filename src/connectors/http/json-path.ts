import { SluiceError } from '../../core/sluice-error.js'

type Step = { readonly key: string } | { readonly index: number } | { readonly all: true }

const cache = new Map<string, readonly Step[]>()

function parse(path: string): readonly Step[] {
  const hit = cache.get(path)
  if (hit) return hit
  let rest = path.trim()
  if (rest.startsWith('$')) rest = rest.slice(1)
  else rest = `.${rest}`
  const steps: Step[] = []
  const bad = (): SluiceError =>
    new SluiceError('E_SCHEMA_VALUE', `invalid JSON path ${JSON.stringify(path)}`, {
      hint: 'write $.a.b, $.items[0], $.items[*] or a.b',
    })
  while (rest.length > 0) {
    let m: RegExpExecArray | null
    if ((m = /^\.([A-Za-z_$@-][\w$@-]*|\*)/.exec(rest))) {
      steps.push(m[1] === '*' ? { all: true } : { key: m[1]! })
    } else if ((m = /^\[(\d+)\]/.exec(rest))) {
      steps.push({ index: Number(m[1]) })
    } else if ((m = /^\[\*\]/.exec(rest))) {
      steps.push({ all: true })
    } else if ((m = /^\[(?:'([^']*)'|"([^"]*)")\]/.exec(rest))) {
      steps.push({ key: m[1] ?? m[2]! })
    } else throw bad()
    rest = rest.slice(m[0].length)
  }
  cache.set(path, steps)
  return steps
}

/**
 * A small JSON path: `$`, `$.a.b`, `$.a[0]`, `$.items[*]`, `$['odd key']`, or a plain dot path
 * (`data.items`). Returns every match (`[*]` fans out), in document order.
 */
export function jsonPath(doc: unknown, path: string): unknown[] {
  let current: unknown[] = [doc]
  for (const step of parse(path)) {
    const next: unknown[] = []
    for (const v of current) {
      if (v === null || typeof v !== 'object') continue
      if ('all' in step) {
        next.push(...((Array.isArray(v) ? v : Object.values(v)) as unknown[]))
      } else if ('index' in step) {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index])
      } else if (!Array.isArray(v) && Object.hasOwn(v, step.key)) {
        next.push((v as Record<string, unknown>)[step.key])
      }
    }
    current = next
  }
  return current
}

/** The first match of `path`, or undefined. */
export function jsonPathFirst(doc: unknown, path: string): unknown {
  return jsonPath(doc, path)[0]
}

/** Throws E_SCHEMA_VALUE when `path` is not a JSON path this evaluator reads. */
export function checkJsonPath(path: string): void {
  parse(path)
}
