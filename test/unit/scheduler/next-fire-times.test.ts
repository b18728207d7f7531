import { describe, expect, it } from 'vitest'
import { SluiceError } from '../../../src/core/sluice-error.js'
import {
  dataIntervalOf,
  fireTimesBetween,
  nextFireAfter,
  previousFireBefore,
} from '../../../src/scheduler/next-fire-times.js'

const iso = (ds: readonly Date[]) => ds.map((d) => d.toISOString())
const D = (s: string) => new Date(s)
const BERLIN = 'Europe/Berlin' // CET = UTC+1, CEST = UTC+2
const NY = 'America/New_York' // EST = UTC-5, EDT = UTC-4

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(SluiceError)
    return (e as SluiceError).code
  }
  throw new Error('expected a SluiceError')
}

describe('nextFireAfter / fireTimesBetween', () => {
  it('fires a plain 5-field cron in UTC by default, strictly after the given instant', () => {
    const s = { cron: '0 2 * * *' }
    expect(nextFireAfter(s, D('2026-05-01T01:59:59.999Z'))?.toISOString()).toBe(
      '2026-05-01T02:00:00.000Z',
    )
    expect(nextFireAfter(s, D('2026-05-01T02:00:00.000Z'))?.toISOString()).toBe(
      '2026-05-02T02:00:00.000Z',
    )
  })

  it('handles 6-field crons (seconds first)', () => {
    const s = { cron: '*/20 * * * * *' }
    expect(iso(fireTimesBetween(s, D('2026-01-01T00:00:00Z'), D('2026-01-01T00:01:00Z')))).toEqual([
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:01:00.000Z',
    ])
  })

  it('crosses a month boundary in local time', () => {
    // midnight on the 1st in Berlin (CET) is 23:00Z the day before
    expect(
      nextFireAfter(
        { cron: '0 0 1 * *', timezone: BERLIN },
        D('2026-01-15T00:00:00Z'),
      )?.toISOString(),
    ).toBe('2026-01-31T23:00:00.000Z')
  })

  describe('Europe/Berlin', () => {
    it('spring-forward 2026-03-29: a skipped 02:30 fires once at 03:00 CEST', () => {
      const s = { cron: '30 2 * * *', timezone: BERLIN }
      expect(
        iso(fireTimesBetween(s, D('2026-03-28T00:00:00Z'), D('2026-03-30T12:00:00Z'))),
      ).toEqual([
        '2026-03-28T01:30:00.000Z', // 02:30 CET
        '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST
        '2026-03-30T00:30:00.000Z', // 02:30 CEST
      ])
    })

    it('spring-forward: several skipped times collapse into one fire (croner alone drops the day)', () => {
      const s = { cron: '15,45 2 * * *', timezone: BERLIN }
      expect(
        iso(fireTimesBetween(s, D('2026-03-29T00:00:00Z'), D('2026-03-30T12:00:00Z'))),
      ).toEqual([
        '2026-03-29T01:00:00.000Z',
        '2026-03-30T00:15:00.000Z',
        '2026-03-30T00:45:00.000Z',
      ])
    })

    it('spring-forward: hourly fires 01:00 CET, then 03:00 CEST once, then 04:00 CEST', () => {
      const s = { cron: '0 * * * *', timezone: BERLIN }
      expect(
        iso(fireTimesBetween(s, D('2026-03-28T23:30:00Z'), D('2026-03-29T02:00:00Z'))),
      ).toEqual([
        '2026-03-29T00:00:00.000Z',
        '2026-03-29T01:00:00.000Z',
        '2026-03-29T02:00:00.000Z',
      ])
    })

    it('fall-back 2026-10-25: a repeated 02:30 fires once, at its first (CEST) occurrence', () => {
      const s = { cron: '30 2 * * *', timezone: BERLIN }
      expect(
        iso(fireTimesBetween(s, D('2026-10-24T00:00:00Z'), D('2026-10-26T12:00:00Z'))),
      ).toEqual([
        '2026-10-24T00:30:00.000Z', // 02:30 CEST
        '2026-10-25T00:30:00.000Z', // 02:30 CEST, first of two
        '2026-10-26T01:30:00.000Z', // 02:30 CET
      ])
    })

    it('fall-back: hourly fires 02:00 once (CEST), not again at 02:00 CET', () => {
      const s = { cron: '0 * * * *', timezone: BERLIN }
      expect(
        iso(fireTimesBetween(s, D('2026-10-24T22:30:00Z'), D('2026-10-25T03:00:00Z'))),
      ).toEqual([
        '2026-10-24T23:00:00.000Z', // 01:00 CEST
        '2026-10-25T00:00:00.000Z', // 02:00 CEST
        '2026-10-25T02:00:00.000Z', // 03:00 CET (01:00Z is 02:00 CET again: no fire)
        '2026-10-25T03:00:00.000Z', // 04:00 CET
      ])
    })

    it('previous fire from inside the repeated hour is the first occurrence', () => {
      const s = { cron: '0 * * * *', timezone: BERLIN }
      // 01:30Z is 02:30 CET, the second pass; the 02:00 CET instant (01:00Z) never fired
      expect(previousFireBefore(s, D('2026-10-25T01:30:00Z'))?.toISOString()).toBe(
        '2026-10-25T00:00:00.000Z',
      )
      expect(nextFireAfter(s, D('2026-10-25T01:30:00Z'))?.toISOString()).toBe(
        '2026-10-25T02:00:00.000Z',
      )
    })
  })

  describe('America/New_York', () => {
    it('spring-forward 2026-03-08: a skipped 02:30 fires once at 03:00 EDT', () => {
      const s = { cron: '30 2 * * *', timezone: NY }
      expect(
        iso(fireTimesBetween(s, D('2026-03-07T00:00:00Z'), D('2026-03-09T12:00:00Z'))),
      ).toEqual([
        '2026-03-07T07:30:00.000Z', // 02:30 EST
        '2026-03-08T07:00:00.000Z', // 03:00 EDT
        '2026-03-09T06:30:00.000Z', // 02:30 EDT
      ])
    })

    it('fall-back 2026-11-01: 01:30 fires once at 01:30 EDT', () => {
      const s = { cron: '30 1 * * *', timezone: NY }
      expect(
        iso(fireTimesBetween(s, D('2026-10-31T00:00:00Z'), D('2026-11-02T12:00:00Z'))),
      ).toEqual([
        '2026-10-31T05:30:00.000Z',
        '2026-11-01T05:30:00.000Z',
        '2026-11-02T06:30:00.000Z',
      ])
    })

    it('fall-back: two times in the repeated hour fire once each (croner alone fires them twice)', () => {
      const s = { cron: '15,45 1 * * *', timezone: NY }
      expect(
        iso(fireTimesBetween(s, D('2026-11-01T00:00:00Z'), D('2026-11-02T12:00:00Z'))),
      ).toEqual([
        '2026-11-01T05:15:00.000Z',
        '2026-11-01T05:45:00.000Z',
        '2026-11-02T06:15:00.000Z',
        '2026-11-02T06:45:00.000Z',
      ])
    })

    it('a 6-field cron pauses through the repeated hour', () => {
      const s = { cron: '*/20 * * * * *', timezone: NY }
      expect(
        iso(fireTimesBetween(s, D('2026-11-01T05:59:30Z'), D('2026-11-01T07:00:20Z'))),
      ).toEqual([
        '2026-11-01T05:59:40.000Z',
        '2026-11-01T07:00:00.000Z',
        '2026-11-01T07:00:20.000Z',
      ])
    })
  })

  it('caps fireTimesBetween at the limit and returns [] for an empty window', () => {
    const s = { cron: '* * * * *' }
    expect(
      fireTimesBetween(s, D('2026-01-01T00:00:00Z'), D('2026-01-01T01:00:00Z'), 2),
    ).toHaveLength(2)
    expect(fireTimesBetween(s, D('2026-01-01T00:00:10Z'), D('2026-01-01T00:00:50Z'))).toEqual([])
  })

  it('returns undefined for a cron that never fires', () => {
    expect(nextFireAfter({ cron: '0 0 31 2 *' }, D('2026-01-01T00:00:00Z'))).toBeUndefined()
  })

  it('rejects an invalid cron or time zone with E_CRON_INVALID', () => {
    expect(codeOf(() => nextFireAfter({ cron: '61 * * * *' }, new Date()))).toBe('E_CRON_INVALID')
    expect(
      codeOf(() => nextFireAfter({ cron: '0 * * * *', timezone: 'Mars/Base' }, new Date())),
    ).toBe('E_CRON_INVALID')
  })
})

describe('previousFireBefore / dataIntervalOf', () => {
  it('is strict: a fire at the instant itself is not previous', () => {
    const s = { cron: '0 * * * *' }
    expect(previousFireBefore(s, D('2026-01-01T01:00:00Z'))?.toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    )
  })

  it('gives [previous fire, fire): 25 h over the Berlin fall-back, 23.5 h after spring-forward', () => {
    const s = { cron: '30 2 * * *', timezone: BERLIN }
    const fall = dataIntervalOf(s, D('2026-10-26T01:30:00Z'))
    expect([fall.start.toISOString(), fall.end.toISOString()]).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ])
    const spring = dataIntervalOf(s, D('2026-03-30T00:30:00Z'))
    expect(spring.start.toISOString()).toBe('2026-03-29T01:00:00.000Z')
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23.5 * 3_600_000)
  })
})
