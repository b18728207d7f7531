import { CHECK_TYPES, type CheckSpec, type CheckType } from '../../core/spec/check-schema.js'
import { SluiceError } from '../../core/sluice-error.js'

/**
 * The one check key a check holds. Throws E_SCHEMA_VALUE when it holds none or several (a spec
 * built in TypeScript without schema validation).
 */
export function checkTypeOf(check: CheckSpec): CheckType {
  const present = CHECK_TYPES.filter((k) => check[k] !== undefined)
  if (present.length === 1) return present[0]!
  throw new SluiceError(
    'E_SCHEMA_VALUE',
    present.length === 0
      ? `check ${check.name ?? '(unnamed)'} has no check key`
      : `check ${check.name ?? '(unnamed)'} has ${present.length} check keys (${present.join(', ')})`,
    { hint: `give each check exactly one of: ${CHECK_TYPES.join(', ')}` },
  )
}
