import { opError } from './op-error.js'
import type { OpScope } from './op-scope.js'
import { RESERVED_PREFIX } from './row-number-column.js'

/**
 * Throws E_SCHEMA_VALUE when an op's output would hold a name twice or a reserved name
 * (`__sluice_…`).
 */
export function requireNewNames(
  scope: Pick<OpScope, 'index' | 'name'>,
  output: readonly string[],
): void {
  const seen = new Set<string>()
  for (const name of output) {
    if (name.startsWith(RESERVED_PREFIX)) {
      throw opError(
        scope,
        `column name "${name}" is reserved`,
        `choose a name that does not start with ${RESERVED_PREFIX}`,
      )
    }
    if (seen.has(name)) {
      throw opError(
        scope,
        `the output would have two columns named "${name}"`,
        'rename one of them first, or choose another name',
      )
    }
    seen.add(name)
  }
}
