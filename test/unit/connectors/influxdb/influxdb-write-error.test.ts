import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from '../../../../src/connectors/influxdb/influxdb-client.js'
import { influxWriteError } from '../../../../src/connectors/influxdb/influxdb-write-error.js'

const batch = { lines: ['m v=1 1', 'm v=oops 2', 'm v=3 3'], rows: [10, 12, 13] }

describe('influxWriteError', () => {
  it('names the line, its text and its input row for unable to parse', () => {
    const e = influxWriteError(
      400,
      "unable to parse 'm v=oops 2': invalid boolean",
      batch,
      'metrics',
    )
    expect(e.code).toBe('E_INFLUX_WRITE')
    expect(e.row).toBe(12)
    expect(e.message).toContain('line 2 of the request (input row 12): m v=oops 2')
  })

  it('finds the first line of a field type conflict', () => {
    const b = { lines: ['m,t=a v=1i 1', 'x v=1 2', 'm v=1.5 3'], rows: [1, 2, 3] }
    const e = influxWriteError(
      400,
      'partial write: field type conflict: input field "v" on measurement "m" is type float, already exists as type integer dropped=1',
      b,
      'metrics',
    )
    expect(e.message).toContain('line 1 of the request (input row 1)')
    expect(e.message).toContain('the other points of the request were written')
  })

  it('hints at create: true on 404 database not found', () => {
    const e = influxWriteError(404, 'database not found: "x"', batch, 'x')
    expect(e.hint).toMatch(/create: true/)
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000)
    expect(parseRetryAfter('0.5')).toBe(500)
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('2015-10-21T07:28:00Z')),
    ).toBe(10_000)
    expect(parseRetryAfter(null)).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
})
