import { pathToFileURL } from 'node:url'
import { SluiceError } from '../../core/sluice-error.js'
import type { TransformMode } from './code-transform-options.js'
import { resolveTransformFunction, type ResolvedTransform } from './resolve-transform-function.js'

/**
 * Imports a transform module (TypeScript through tsx's `tsImport`, JavaScript natively) and
 * resolves its function (resolveTransformFunction). Any failure is E_TRANSFORM_LOAD naming the
 * module path.
 */
export async function loadTransformModule(
  path: string,
  exportName?: string,
  mode?: TransformMode,
): Promise<ResolvedTransform> {
  let mod: Record<string, unknown>
  try {
    const url = pathToFileURL(path).href
    mod = /\.[mc]?ts$/.test(path)
      ? ((await (await import('tsx/esm/api')).tsImport(url, import.meta.url)) as Record<
          string,
          unknown
        >)
      : ((await import(url)) as Record<string, unknown>)
  } catch (e) {
    throw new SluiceError(
      'E_TRANSFORM_LOAD',
      `cannot load transform module ${path}: ${e instanceof Error ? e.message : String(e)}`,
      { hint: 'check the module path (relative to the pipeline file) and that it compiles' },
    )
  }
  return resolveTransformFunction(mod, `transform module ${path}`, exportName, mode)
}
