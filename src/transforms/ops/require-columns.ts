import { didYouMean } from '../../core/suggest.js'
import { opError } from './op-error.js'
import type { OpScope } from './op-scope.js'

/**
 * Throws E_SCHEMA_VALUE when a name is not among `available` (default the op's input columns):
 * `ops[3] rename: no column "amt"; columns: a, b, c`, with a did-you-mean as the hint.
 * `side` says which input, for joins (`no column "x" in orders`).
 */
export function requireColumns(
  scope: Pick<OpScope, 'index' | 'name' | 'columns'>,
  names: readonly string[],
  available: readonly string[] = scope.columns,
  side?: string,
): void {
  const known = new Set(available)
  for (const name of names) {
    if (known.has(name)) continue
    const where = side === undefined ? '' : ` in ${side}`
    throw opError(
      scope,
      `no column "${name}"${where}; columns: ${available.join(', ') || '(none)'}`,
      didYouMean(name, available) ??
        'check the spelling and the ops before this one (select, rename, aggregate and join change the columns)',
    )
  }
}
