import { describe, expect, it } from 'vitest'
import { parsePromTime } from '../../../../src/connectors/prometheus/parse-prom-time.js'

const NOW = Date.UTC(2026, 10, 22, 6, 0, 0)

describe('parsePromTime', () => {
  it('reads RFC 3339 with Z, offsets, fractions; no zone means UTC', () => {
    expect(parsePromTime('2026-11-22T06:00:00Z', NOW)).toBe(NOW)
    expect(parsePromTime('2026-11-22T07:00:00+01:00', NOW)).toBe(NOW)
    expect(parsePromTime('2026-11-22T06:00:00.250Z', NOW)).toBe(NOW + 250)
    expect(parsePromTime('2026-11-22T06:00:00', NOW)).toBe(NOW)
    expect(parsePromTime('2026-11-22 06:00:00Z', NOW)).toBe(NOW)
    expect(parsePromTime('2026-11-22', NOW)).toBe(Date.UTC(2026, 10, 22))
  })

  it('reads unix seconds as numbers and text, with fractions', () => {
    expect(parsePromTime(NOW / 1000, NOW)).toBe(NOW)
    expect(parsePromTime(String(NOW / 1000), NOW)).toBe(NOW)
    expect(parsePromTime('1700000000.123', NOW)).toBe(1_700_000_000_123)
  })

  it('reads now and now±duration', () => {
    expect(parsePromTime('now', NOW)).toBe(NOW)
    expect(parsePromTime('now-1h', NOW)).toBe(NOW - 3_600_000)
    expect(parsePromTime('now - 1h30m', NOW)).toBe(NOW - 5_400_000)
    expect(parsePromTime('now+5m', NOW)).toBe(NOW + 300_000)
    expect(parsePromTime('NOW-PT2H', NOW)).toBe(NOW - 7_200_000)
  })

  it('returns undefined for anything else', () => {
    for (const bad of [
      '',
      'yesterday',
      'now-',
      'now-1x',
      '2026-13-45T00:00:00Z',
      '22/11/2026',
      NaN,
    ])
      expect(parsePromTime(bad, NOW), String(bad)).toBeUndefined()
  })
})
