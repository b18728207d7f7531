import type { SecretMask } from '../core/secret-mask.js'
import type { JsonValue } from './records.js'

/** Masks every string (and key) inside a JSON value, so escaping cannot hide a secret. */
export function maskJson(value: JsonValue, mask: SecretMask): JsonValue {
  if (typeof value === 'string') return mask.mask(value)
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => maskJson(v, mask))
  const out: { [key: string]: JsonValue } = {}
  for (const [k, v] of Object.entries(value)) out[mask.mask(k)] = maskJson(v, mask)
  return out
}
