import type { Value } from '../../data/column-type.js'

/**
 * The JSON object of one input record for a reject's `raw` field: bigint as its decimal string,
 * binary as base64, so nothing is lost or throws.
 */
export function recordJson(columns: readonly string[], values: readonly Value[]): string {
  const o: Record<string, Value> = {}
  for (let i = 0; i < columns.length; i++) o[columns[i] ?? `column${i + 1}`] = values[i] ?? null
  return JSON.stringify(o, (_key, v: unknown) =>
    typeof v === 'bigint'
      ? v.toString()
      : v instanceof Uint8Array
        ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
        : v,
  )
}
