/**
 * Orders two watermark values: numbers (or numeric text against a number) numerically, anything
 * else as text (ISO dates and timestamps sort as text).
 */
export function compareWatermark(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'number' || typeof b === 'number') {
    const x = Number(a)
    const y = Number(b)
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y
  }
  const x = String(a)
  const y = String(b)
  return x < y ? -1 : x > y ? 1 : 0
}
