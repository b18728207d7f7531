import { describe, expect, it } from 'vitest'
import { planChunks } from '../../../../src/connectors/prometheus/plan-chunks.js'

/** Every evaluation time of a plan, in order. */
function times(chunks: { start: number; end: number }[], step: number): number[] {
  const out: number[] = []
  for (const c of chunks) for (let t = c.start; t <= c.end; t += step) out.push(t)
  return out
}

describe('planChunks', () => {
  it('keeps a range that fits in one chunk whole', () => {
    expect(planChunks(0, 90_000, 15_000, 10_000)).toEqual([{ start: 0, end: 90_000 }])
  })

  it('starts each chunk one step after the previous end (no boundary sample twice)', () => {
    const chunks = planChunks(1000, 1000 + 24 * 10, 10, 10)
    expect(chunks).toEqual([
      { start: 1000, end: 1090 },
      { start: 1100, end: 1190 },
      { start: 1200, end: 1240 },
    ])
  })

  it('covers every evaluation time exactly once, whatever the sizes', () => {
    for (const [start, end, step, points] of [
      [0, 1_000_000, 15_000, 7],
      [5, 99_999, 1000, 1],
      [123, 123, 60_000, 10_000],
      [0, 10_000 * 15_000, 15_000, 10_000],
      [7, 7 + 11_000 * 1000 + 500, 1000, 11_000],
    ] as const) {
      const chunks = planChunks(start, end, step, points)
      const all = times(chunks, step)
      const expected: number[] = []
      for (let t = start; t <= end; t += step) expected.push(t)
      expect(all).toEqual(expected)
      for (const c of chunks) expect((c.end - c.start) / step + 1).toBeLessThanOrEqual(points)
    }
  })

  it('ends a chunk on an evaluation time, not on `end`', () => {
    expect(planChunks(0, 25, 10, 100)).toEqual([{ start: 0, end: 20 }])
  })

  it('is empty for a reversed range and rejects a zero step', () => {
    expect(planChunks(100, 50, 10, 100)).toEqual([])
    expect(() => planChunks(0, 10, 0, 100)).toThrow(RangeError)
  })
})
