/** One range request: evaluation times `start, start + step, …, end` (epoch ms, both included). */
export interface Chunk {
  readonly start: number
  readonly end: number
}

/**
 * Splits the evaluation times of a range query (`start + k·step ≤ end`) into requests of at most
 * `points` times each. Prometheus includes both ends of a range, so the next chunk starts one step
 * after the previous end: every time is in exactly one chunk. Empty when `start > end`.
 */
export function planChunks(start: number, end: number, step: number, points: number): Chunk[] {
  if (!(step > 0) || !(points >= 1)) throw new RangeError('step and points must be positive')
  const chunks: Chunk[] = []
  const span = (Math.floor(points) - 1) * step
  for (let s = start; s <= end;) {
    const e = Math.min(s + span, start + Math.floor((end - start) / step) * step)
    chunks.push({ start: s, end: e })
    s = e + step
  }
  return chunks
}
