import type { CheckSpec } from '../../core/spec/check-schema.js'
import { asList } from './as-list.js'
import { checkTypeOf } from './check-type-of.js'

const MAX_EXPRESSION = 40

/**
 * A check's name: its `name:`, else one derived from the check, e.g. `not_null(id, amount)`,
 * `unique(a, b)`, `range(amount)`, `row_count`, `referential(customer_id)`, `sql`.
 */
export function checkName(check: CheckSpec): string {
  if (check.name !== undefined) return check.name
  const type = checkTypeOf(check)
  switch (type) {
    case 'not_null':
    case 'unique':
      return `${type}(${asList(check[type]!).join(', ')})`
    case 'row_count':
    case 'sql':
      return type
    case 'expression': {
      const e = check.expression!.replace(/\s+/g, ' ').trim()
      return `expression(${e.length > MAX_EXPRESSION ? `${e.slice(0, MAX_EXPRESSION - 1)}…` : e})`
    }
    default:
      return `${type}(${check[type]!.column})`
  }
}
