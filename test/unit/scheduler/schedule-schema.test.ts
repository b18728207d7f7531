import { describe, expect, it } from 'vitest'
import { scheduleSchema } from '../../../src/core/spec/schedule-schema.js'

const ok = (v: unknown) => scheduleSchema.safeParse(v).success

describe('schedule schema', () => {
  it('accepts a cron string and the full object', () => {
    expect(ok('0 2 * * *')).toBe(true)
    expect(ok('*/30 * * * * *')).toBe(true)
    expect(
      ok({
        cron: '0 2 * * *',
        timezone: 'Europe/Berlin',
        overlap: 'cancel_previous',
        catchup: 'latest',
        max_catchup: 3,
        params: { day: '2026-01-01', n: 1 },
        enabled: false,
      }),
    ).toBe(true)
  })

  it('accepts each overlap and catch-up policy and nothing else', () => {
    for (const overlap of ['allow', 'skip', 'queue', 'cancel_previous'])
      expect(ok({ cron: '@daily', overlap })).toBe(true)
    for (const catchup of ['none', 'latest', 'all'])
      expect(ok({ cron: '@daily', catchup })).toBe(true)
    expect(ok({ cron: '@daily', overlap: 'replace' })).toBe(false)
    expect(ok({ cron: '@daily', catchup: true })).toBe(false)
    expect(ok({ cron: '@daily', catchup: 'some' })).toBe(false)
  })

  it('bounds max_catchup to a positive integer and rejects unknown keys, bad crons and zones', () => {
    expect(ok({ cron: '@daily', max_catchup: 0 })).toBe(false)
    expect(ok({ cron: '@daily', max_catchup: 1.5 })).toBe(false)
    expect(ok({ cron: '@daily', max_catchup: 1 })).toBe(true)
    expect(ok({ cron: '@daily', jitter: 5 })).toBe(false)
    expect(ok({ cron: '61 * * * *' })).toBe(false)
    expect(ok({ cron: '@daily', timezone: 'Mars/Base' })).toBe(false)
  })
})
