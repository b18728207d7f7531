import { parseDuration } from '../../core/duration.js'
import { opError } from './op-error.js'
import type { OpScope } from './op-scope.js'

/** A positive duration option in whole microseconds, or E_SCHEMA_VALUE naming the op and option. */
export function durationMicros(
  scope: Pick<OpScope, 'index' | 'name'>,
  value: string | number,
  option: string,
): number {
  const ms = parseDuration(value)
  const us = ms === undefined ? 0 : Math.round(ms * 1000)
  if (us <= 0) {
    throw opError(
      scope,
      `${option} ${JSON.stringify(value)} is not a positive duration`,
      'write e.g. 30s, 5m, 1h, 1d, 1h30m or PT15M',
    )
  }
  return us
}
