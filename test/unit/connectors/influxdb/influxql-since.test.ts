import { describe, expect, it } from 'vitest'
import { addTimeCondition } from '../../../../src/connectors/influxdb/influxql-since.js'

const T = '2026-11-22T10:00:00.000000001Z'

describe('addTimeCondition', () => {
  it('adds a WHERE clause at the end', () => {
    expect(addTimeCondition('SELECT * FROM cpu;', T)).toBe(`SELECT * FROM cpu WHERE time > '${T}'`)
  })

  it('adds it before GROUP BY, ORDER BY, LIMIT and fill()', () => {
    expect(addTimeCondition('SELECT mean(v) FROM cpu GROUP BY time(1m), host fill(none)', T)).toBe(
      `SELECT mean(v) FROM cpu WHERE time > '${T}' GROUP BY time(1m), host fill(none)`,
    )
    expect(addTimeCondition('SELECT * FROM cpu ORDER BY time DESC LIMIT 5', T)).toBe(
      `SELECT * FROM cpu WHERE time > '${T}' ORDER BY time DESC LIMIT 5`,
    )
  })

  it('ANDs it with an existing condition, keeping OR precedence', () => {
    expect(
      addTimeCondition(`SELECT * FROM cpu WHERE host = 'a' OR host = 'b' GROUP BY host`, T),
    ).toBe(`SELECT * FROM cpu WHERE time > '${T}' AND (host = 'a' OR host = 'b') GROUP BY host`)
  })

  it('ignores keywords inside quoted identifiers and strings', () => {
    expect(addTimeCondition(`SELECT * FROM "where limit" WHERE host = 'group by x'`, T)).toBe(
      `SELECT * FROM "where limit" WHERE time > '${T}' AND (host = 'group by x')`,
    )
  })

  it('takes epoch nanoseconds as a number', () => {
    expect(addTimeCondition('SELECT * FROM cpu', 5)).toBe('SELECT * FROM cpu WHERE time > 5')
  })
})
