import { describe, expect, it } from 'vitest'
import { SluiceError } from '../../../src/core/sluice-error.js'
import { backfillIntervals } from '../../../src/scheduler/backfill-intervals.js'

const D = (s: string) => new Date(s)
const pairs = (xs: readonly { start: Date; end: Date }[]) =>
  xs.map((x) => [x.start.toISOString(), x.end.toISOString()])

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(SluiceError)
    return (e as SluiceError).code
  }
  throw new Error('expected a SluiceError')
}

describe('backfillIntervals', () => {
  it('tiles [from, to) with a fixed step; a partial last step is left out', () => {
    expect(
      pairs(
        backfillIntervals({
          from: D('2026-01-01T00:00Z'),
          to: D('2026-01-03T12:00Z'),
          every: '1d',
        }),
      ),
    ).toEqual([
      ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z'],
      ['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'],
    ])
  })

  it('gives exactly one interval when the range is one step', () => {
    expect(
      backfillIntervals({
        from: D('2026-01-01T00:00Z'),
        to: D('2026-01-01T06:00Z'),
        every: 'PT6H',
      }),
    ).toHaveLength(1)
  })

  it('follows the schedule between consecutive fires, across a DST change', () => {
    // daily 00:00 Berlin: 23:00Z in winter, 22:00Z in summer; the 03-29 day is 23 h long
    const got = backfillIntervals({
      from: D('2026-03-27T12:00Z'),
      to: D('2026-03-30T00:00Z'),
      schedule: { cron: '0 0 * * *', timezone: 'Europe/Berlin' },
    })
    expect(pairs(got)).toEqual([
      ['2026-03-27T23:00:00.000Z', '2026-03-28T23:00:00.000Z'],
      ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    ])
  })

  it('includes a fire exactly at `from` as an interval start and one at `to` as an end', () => {
    const got = backfillIntervals({
      from: D('2026-01-01T00:00Z'),
      to: D('2026-01-01T02:00Z'),
      schedule: { cron: '0 * * * *' },
    })
    expect(got).toHaveLength(2)
  })

  it('rejects empty, reversed, stepless, too-small and too-large ranges with E_BACKFILL_RANGE', () => {
    const from = D('2026-01-01T00:00Z')
    expect(codeOf(() => backfillIntervals({ from, to: from, every: '1d' }))).toBe(
      'E_BACKFILL_RANGE',
    )
    expect(codeOf(() => backfillIntervals({ from, to: D('2025-01-01T00:00Z'), every: '1d' }))).toBe(
      'E_BACKFILL_RANGE',
    )
    const to = D('2026-01-02T00:00Z')
    expect(codeOf(() => backfillIntervals({ from, to }))).toBe('E_BACKFILL_RANGE')
    expect(codeOf(() => backfillIntervals({ from, to, every: 'soon' }))).toBe('E_BACKFILL_RANGE')
    expect(codeOf(() => backfillIntervals({ from, to, every: '2d' }))).toBe('E_BACKFILL_RANGE')
    expect(codeOf(() => backfillIntervals({ from, to, every: '1m', max: 1439 }))).toBe(
      'E_BACKFILL_RANGE',
    )
    expect(backfillIntervals({ from, to, every: '1m', max: 1440 })).toHaveLength(1440)
  })

  it('caps at 10,000 intervals by default, with a message naming the cap', () => {
    let error: SluiceError | undefined
    try {
      backfillIntervals({ from: D('2026-01-01T00:00Z'), to: D('2026-02-01T00:00Z'), every: '1m' })
    } catch (e) {
      error = e as SluiceError
    }
    expect(error?.message).toContain('more than 10000 intervals')
    expect(error?.hint).toMatch(/split the range/)
  })
})
