import { SluiceError } from '../../core/sluice-error.js'
import type { OpScope } from './op-scope.js'

/** E_SCHEMA_VALUE naming the op: `ops[3] rename: <message>`. */
export function opError(
  scope: Pick<OpScope, 'index' | 'name'>,
  message: string,
  hint?: string,
): SluiceError {
  return new SluiceError('E_SCHEMA_VALUE', `ops[${scope.index}] ${scope.name}: ${message}`, {
    ...(hint === undefined ? {} : { hint }),
  })
}
