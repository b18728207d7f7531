import type { Json } from '../task-context.js'

/**
 * The incremental watermark a `sql` or `transform` task passes on: when exactly one of its
 * upstream tasks carries one (an incremental extract, or a task that passed one on), the
 * downstream load commits it under the extract's key, so `extract → transform → load` reads
 * incrementally as `extract → load` does. Several carried watermarks are not merged.
 */
export function carriedWatermark(
  upstream: Readonly<Record<string, Json | undefined>>,
): { watermark: Json; watermark_key: string } | undefined {
  const carrying = Object.entries(upstream).filter(
    ([, o]) => o !== null && typeof o === 'object' && !Array.isArray(o) && o.watermark != null,
  )
  if (carrying.length !== 1) return undefined
  const [id, out] = carrying[0]! as [string, { [key: string]: Json }]
  const key = out.watermark_key
  return { watermark: out.watermark!, watermark_key: typeof key === 'string' ? key : id }
}
