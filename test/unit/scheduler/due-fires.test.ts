import { describe, expect, it } from 'vitest'
import { dueFires, type CatchupPolicy } from '../../../src/scheduler/due-fires.js'

const HOURLY = { cron: '0 * * * *' }
const D = (s: string) => new Date(s)
const hours = (ds: readonly Date[]) => ds.map((d) => d.toISOString().slice(11, 16))

function due(catchup: CatchupPolicy, now: string, maxCatchup = 10, since = '2026-05-01T00:00:00Z') {
  const r = dueFires({
    schedule: HOURLY,
    catchup,
    maxCatchup,
    since: D(since),
    now: D(now),
    toleranceMs: 60_000,
  })
  return { run: hours(r.run), skip: hours(r.skip) }
}

describe('dueFires', () => {
  // last fire 00:00; the scheduler was down and comes back at 03:30: 01:00, 02:00, 03:00 missed
  describe('after 3 missed intervals, nothing on time', () => {
    it('none skips all three', () => {
      expect(due('none', '2026-05-01T03:30:00Z')).toEqual({
        run: [],
        skip: ['01:00', '02:00', '03:00'],
      })
    })
    it('latest runs only the newest', () => {
      expect(due('latest', '2026-05-01T03:30:00Z')).toEqual({
        run: ['03:00'],
        skip: ['01:00', '02:00'],
      })
    })
    it('all runs each, oldest first', () => {
      expect(due('all', '2026-05-01T03:30:00Z')).toEqual({
        run: ['01:00', '02:00', '03:00'],
        skip: [],
      })
    })
    it('all keeps only the newest max_catchup', () => {
      expect(due('all', '2026-05-01T03:30:00Z', 2)).toEqual({
        run: ['02:00', '03:00'],
        skip: ['01:00'],
      })
      expect(due('all', '2026-05-01T03:30:00Z', 1)).toEqual({
        run: ['03:00'],
        skip: ['01:00', '02:00'],
      })
    })
  })

  describe('after 3 missed intervals with the 04:00 fire on time (now 04:00:30)', () => {
    it('every policy runs the on-time fire', () => {
      expect(due('none', '2026-05-01T04:00:30Z')).toEqual({
        run: ['04:00'],
        skip: ['01:00', '02:00', '03:00'],
      })
      expect(due('latest', '2026-05-01T04:00:30Z')).toEqual({
        run: ['04:00'],
        skip: ['01:00', '02:00', '03:00'],
      })
      expect(due('all', '2026-05-01T04:00:30Z')).toEqual({
        run: ['01:00', '02:00', '03:00', '04:00'],
        skip: [],
      })
      expect(due('all', '2026-05-01T04:00:30Z', 1)).toEqual({
        run: ['03:00', '04:00'],
        skip: ['01:00', '02:00'],
      })
    })
  })

  it('a fire exactly `tolerance` old is on time; 1 ms more and it is missed', () => {
    expect(due('none', '2026-05-01T01:01:00.000Z')).toEqual({ run: ['01:00'], skip: [] })
    expect(due('none', '2026-05-01T01:01:00.001Z')).toEqual({ run: [], skip: ['01:00'] })
  })

  it('a fire due exactly now is included; nothing after since means nothing due', () => {
    expect(due('none', '2026-05-01T01:00:00Z')).toEqual({ run: ['01:00'], skip: [] })
    expect(due('all', '2026-05-01T00:59:59Z')).toEqual({ run: [], skip: [] })
    expect(due('all', '2026-05-01T00:00:00Z')).toEqual({ run: [], skip: [] })
    // since after now (a clock step back): nothing
    expect(due('all', '2026-05-01T02:00:00Z', 10, '2026-05-01T05:00:00Z')).toEqual({
      run: [],
      skip: [],
    })
  })

  it('lists at most the newest 100 skipped fires after a long outage', () => {
    const r = dueFires({
      schedule: { cron: '* * * * *' },
      catchup: 'none',
      maxCatchup: 10,
      since: D('2026-05-01T00:00:00Z'),
      now: D('2026-05-02T00:00:30Z'),
      toleranceMs: 10_000,
    })
    expect(r.run).toEqual([])
    expect(r.skip).toHaveLength(100)
    expect(r.skip.at(-1)?.toISOString()).toBe('2026-05-02T00:00:00.000Z')
    expect(r.skip[0]?.toISOString()).toBe('2026-05-01T22:21:00.000Z')
  })
})
