import { SluiceError } from '../../core/sluice-error.js'
import type { TransformMode } from './code-transform-options.js'

/** A transform function and the way to call it. */
export interface ResolvedTransform {
  readonly mode: TransformMode
  readonly fn: (input: unknown, ctx: unknown) => unknown
  /** The export it came from, for messages. */
  readonly name: string
}

const SHAPES =
  'export map(row, ctx), transform(rows, ctx) or async function* transform(batches, ctx)'

const isFunction = (v: unknown): v is (input: unknown, ctx: unknown) => unknown =>
  typeof v === 'function'

const isAsyncGenerator = (fn: unknown): boolean =>
  Object.prototype.toString.call(fn) === '[object AsyncGeneratorFunction]'

function exportedFunctions(source: Record<string, unknown>): string[] {
  const names = Object.keys(source).filter((k) => isFunction(source[k]))
  const def = source.default
  if (def !== null && typeof def === 'object') {
    const inner = def as Record<string, unknown>
    for (const k of Object.keys(inner)) if (isFunction(inner[k])) names.push(`default.${k}`)
  }
  return names
}

function loadError(label: string, what: string, source: Record<string, unknown>): SluiceError {
  const names = exportedFunctions(source)
  return new SluiceError('E_TRANSFORM_LOAD', `${label} ${what}`, {
    hint: names.length ? `exported functions: ${names.join(', ')}; ${SHAPES}` : SHAPES,
  })
}

function pick(
  fn: (input: unknown, ctx: unknown) => unknown,
  key: string,
  label: string,
  mode: TransformMode | undefined,
): ResolvedTransform {
  const generator = isAsyncGenerator(fn)
  const name = key === 'default' && fn.name ? fn.name : key
  const chosen = mode ?? (generator ? 'stream' : name === 'transform' ? 'batch' : 'row')
  if (chosen === 'stream' && !generator) {
    throw new SluiceError(
      'E_TRANSFORM_LOAD',
      `${label}: "${key}" is not an async generator function, so it cannot run in stream mode`,
      { hint: 'write it as `export async function* transform(batches, ctx) { … yield rows }`' },
    )
  }
  if (chosen !== 'stream' && generator) {
    throw new SluiceError(
      'E_TRANSFORM_LOAD',
      `${label}: "${key}" is an async generator function; it can only run in stream mode`,
      { hint: 'drop `mode:` or set it to stream' },
    )
  }
  return { mode: chosen, fn, name: key }
}

function asSource(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined
}

/**
 * Finds the function to call in a module namespace (or an inline object) and decides its mode.
 *
 * With `exportName`: that export; a function, or an object holding `map`/`transform`.
 * Without: `map` (row mode), else `transform` (async generator → stream, else batch), else
 * `default` (a function, judged by its own name and kind, or an object with `map`/`transform`).
 * A plain function that is not named `transform` runs in row mode unless `mode` says otherwise;
 * an async generator function always streams. Exporting both `map` and `transform` is ambiguous
 * unless `mode` chooses. Throws E_TRANSFORM_LOAD with the exported functions as a hint.
 */
export function resolveTransformFunction(
  source: Record<string, unknown>,
  label: string,
  exportName?: string,
  mode?: TransformMode,
): ResolvedTransform {
  if (exportName !== undefined) {
    const v = source[exportName]
    if (isFunction(v)) return pick(v, exportName, label, mode)
    const inner = asSource(v)
    if (inner && (isFunction(inner.map) || isFunction(inner.transform))) {
      return resolveTransformFunction(inner, `${label} (export ${exportName})`, undefined, mode)
    }
    throw loadError(label, `has no exported function "${exportName}"`, source)
  }
  const map = source.map
  const transform = source.transform
  if (isFunction(map) && isFunction(transform)) {
    if (mode === 'row') return pick(map, 'map', label, mode)
    if (mode !== undefined) return pick(transform, 'transform', label, mode)
    throw loadError(label, 'exports both map and transform; which one should run?', source)
  }
  if (isFunction(map)) return pick(map, 'map', label, mode)
  if (isFunction(transform)) return pick(transform, 'transform', label, mode)
  const def = source.default
  if (isFunction(def)) return pick(def, 'default', label, mode)
  const inner = asSource(def)
  if (inner && (isFunction(inner.map) || isFunction(inner.transform))) {
    return resolveTransformFunction(inner, `${label} (default export)`, undefined, mode)
  }
  throw loadError(label, 'exports no map or transform function', source)
}
