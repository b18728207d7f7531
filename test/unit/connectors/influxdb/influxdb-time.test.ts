import { describe, expect, it } from 'vitest'
import {
  influxDurationSeconds,
  quoteInfluxIdent,
} from '../../../../src/connectors/influxdb/ensure-influx-storage.js'
import {
  InfluxTimeEncoder,
  influxTimeToTimestamptz,
  rfc3339ToNanos,
} from '../../../../src/connectors/influxdb/influxdb-time.js'

describe('InfluxTimeEncoder', () => {
  it('encodes timestamptz, timestamp and date text in nanoseconds', () => {
    const e = new InfluxTimeEncoder('ns')
    expect(e.encode('2026-11-22T10:00:00.000001Z')).toBe('1795341600000001000')
    expect(e.encode('2026-11-22T10:00:00.5')).toBe('1795341600500000000')
    expect(e.encode('2026-11-22')).toBe('1795305600000000000')
    expect(e.encode('1970-01-01T00:00:00.000000123Z')).toBe('123')
    expect(e.encode(1795341600000000000n)).toBe('1795341600000000000')
    expect(e.encode('not a time')).toBeUndefined()
    expect(e.encode(true)).toBeUndefined()
  })

  it('does not reuse the cached second for a different zone', () => {
    const e = new InfluxTimeEncoder('s')
    expect(e.encode('2026-11-22T10:00:00Z')).toBe('1795341600')
    expect(e.encode('2026-11-22T10:00:00+01:00')).toBe('1795338000')
    expect(e.encode('2026-11-22T10:00:00.25Z')).toBe('1795341600')
  })
})

describe('influx time and duration helpers', () => {
  it('reads RFC 3339 times as timestamptz (microseconds) and as nanoseconds', () => {
    expect(influxTimeToTimestamptz('2026-11-22T10:00:00.123456789Z')).toBe(
      '2026-11-22T10:00:00.123456Z',
    )
    expect(rfc3339ToNanos('2026-11-22T10:00:03.000000001Z')).toBe(1795341603000000001n)
    expect(
      rfc3339ToNanos('2026-11-22T10:00:03Z')! < rfc3339ToNanos('2026-11-22T10:00:03.000000001Z')!,
    ).toBe(true)
  })

  it('parses InfluxDB durations and quotes identifiers', () => {
    expect(influxDurationSeconds('30d')).toBe(2_592_000)
    expect(influxDurationSeconds('1h30m')).toBe(5400)
    expect(influxDurationSeconds('720h0m0s')).toBe(2_592_000)
    expect(influxDurationSeconds('INF')).toBe(0)
    expect(quoteInfluxIdent('my "db"\\x')).toBe('"my \\"db\\"\\\\x"')
  })
})
