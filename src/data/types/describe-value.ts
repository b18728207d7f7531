import type { Value } from '../column-type.js'

const MAX = 60

/** A short, readable rendering of a value for error reasons: `"abc"`, `12`, `NULL`, `<3 bytes>`. */
export function describeValue(value: Value): string {
  if (value === null) return 'NULL'
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`
  if (typeof value === 'string') {
    const text = JSON.stringify(value.length > MAX ? `${value.slice(0, MAX)}…` : value)
    return text
  }
  return String(value)
}
