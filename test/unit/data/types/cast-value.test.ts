import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Value } from '../../../../src/data/column-type.js'
import { castValue, type CastResult } from '../../../../src/data/types/cast-value.js'
import { parseColumnType } from '../../../../src/data/types/parse-column-type.js'
import { canonicalTimestamp } from './arbitraries.js'

const cast = (value: Value, type: string): CastResult => castValue(value, parseColumnType(type))
const value = (v: Value, type: string): Value => {
  const r = cast(v, type)
  if (!r.ok) throw new Error(r.reason)
  return r.value
}
const reason = (v: Value, type: string): string => {
  const r = cast(v, type)
  if (r.ok) throw new Error(`expected a failure, got ${String(r.value)}`)
  return r.reason
}

describe('castValue: numbers', () => {
  it.each<[Value, string, Value]>([
    ['12', 'int32', 12],
    [' -7 ', 'int32', -7],
    ['12.00', 'int32', 12],
    ['1e3', 'int32', 1000],
    [true, 'int32', 1],
    [5n, 'int32', 5],
    ['2147483647', 'int32', 2147483647],
    ['-2147483648', 'int32', -2147483648],
    ['9007199254740993', 'int64', 9007199254740993n],
    ['-9223372036854775808', 'int64', -(2n ** 63n)],
    [42, 'int64', 42n],
    [1e20, 'decimal(21,0)', '100000000000000000000'],
    ['1.5', 'decimal(5,2)', '1.50'],
    ['-0.5', 'decimal(3,3)', '-0.500'],
    ['-0.00', 'decimal(4,2)', '0.00'],
    [0.1, 'decimal(3,2)', '0.10'],
    [123n, 'decimal(5,1)', '123.0'],
    ['12.5000', 'decimal(3,1)', '12.5'],
    ['0.1', 'float64', 0.1],
    ['1e3', 'float64', 1000],
    [2n ** 53n, 'float64', 2 ** 53],
    ['NaN', 'float64', NaN],
    ['-Infinity', 'float64', -Infinity],
    [Infinity, 'float64', Infinity],
  ])('%s to %s', (input, type, expected) => {
    expect(value(input, type)).toEqual(expected)
  })

  it.each<[Value, string, string]>([
    [
      '3000000000',
      'int32',
      'cannot cast "3000000000" to int32: out of range -2147483648..2147483647',
    ],
    [3000000000n, 'int32', 'cannot cast 3000000000 to int32: out of range'],
    [2n ** 63n, 'int64', 'cannot cast 9223372036854775808 to int64: out of range'],
    [1.5, 'int64', 'cannot cast 1.5 to int64: has a fractional part'],
    ['12.5', 'int32', 'cannot cast "12.5" to int32: has a fractional part'],
    ['', 'int32', 'an empty string is not a number'],
    ['abc', 'int64', 'cannot cast "abc" to int64: not a number'],
    ['0x10', 'int32', 'not a number'],
    [NaN, 'int32', 'cannot cast NaN to int32: not a finite number'],
    [new Uint8Array(2), 'int32', 'cannot cast <2 bytes> to int32: binary data is not a number'],
    [
      '1.555',
      'decimal(5,2)',
      'cannot cast "1.555" to decimal(5,2): has more than 2 decimal places',
    ],
    ['12345', 'decimal(5,2)', 'needs 5 integer digits, decimal(5,2) holds 3'],
    [true, 'decimal(5,2)', 'a boolean is not a number'],
    [
      2n ** 53n + 1n,
      'float64',
      'cannot cast 9007199254740993 to float64: float64 cannot hold it exactly',
    ],
    ['0.12345678901234567890', 'float64', 'float64 cannot hold it exactly'],
    ['1e400', 'float64', 'float64 cannot hold it exactly'],
    [true, 'float64', 'a boolean is not a number'],
  ])('%s to %s fails', (input, type, message) => {
    expect(reason(input, type)).toContain(message)
  })

  it('int64 strings survive exactly, beyond 2^53', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        expect(value(n.toString(), 'int64')).toBe(n)
        expect(value(n, 'string')).toBe(n.toString())
      }),
    )
  })

  it('decimal text keeps every digit', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }),
        fc.integer({ min: 0, max: 38 }),
        (n, scale) => {
          const digits = (n < 0n ? -n : n).toString().padStart(scale + 1, '0')
          const text = `${n < 0n ? '-' : ''}${digits.slice(0, digits.length - scale)}${scale ? `.${digits.slice(digits.length - scale)}` : ''}`
          const intDigits = digits.length - scale
          if (intDigits + scale > 38) return
          expect(value(text, `decimal(38,${scale})`)).toBe(n === 0n ? text.replace('-', '') : text)
        },
      ),
    )
  })

  it('float64 accepts every double and its shortest text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        expect(value(String(d), 'float64')).toBe(d === 0 ? 0 : d)
        expect(value(d, 'float64')).toBe(d)
      }),
    )
  })
})

describe('castValue: booleans and strings', () => {
  it.each<[Value, boolean]>([
    ['true', true],
    ['FALSE', false],
    ['t', true],
    ['f', false],
    ['Yes', true],
    ['no', false],
    ['1', true],
    ['0', false],
    [1, true],
    [0n, false],
    [true, true],
  ])('%s to boolean', (input, expected) => {
    expect(value(input, 'boolean')).toBe(expected)
  })

  it('rejects other booleans', () => {
    expect(reason('maybe', 'boolean')).toBe(
      'cannot cast "maybe" to boolean: not one of true/false, t/f, yes/no, y/n, 1/0',
    )
    expect(reason(2, 'boolean')).toContain('cannot cast 2 to boolean')
    expect(reason(new Uint8Array(1), 'boolean')).toContain('binary data is not a boolean')
  })

  it('casts everything to string', () => {
    expect(value(12, 'string')).toBe('12')
    expect(value(0.1, 'string')).toBe('0.1')
    expect(value(9007199254740993n, 'string')).toBe('9007199254740993')
    expect(value(false, 'string')).toBe('false')
    expect(value(new Uint8Array([1, 2, 3]), 'string')).toBe('AQID')
    expect(value('', 'string')).toBe('')
  })

  it('keeps NULL as NULL for every type', () => {
    for (const t of ['int32', 'string', 'date', 'json', 'binary', 'decimal(5,2)']) {
      expect(cast(null, t)).toEqual({ ok: true, value: null })
    }
  })

  it('names long string values shortened', () => {
    expect(reason('x'.repeat(100), 'int32')).toContain(`"${'x'.repeat(60)}…"`)
  })
})

describe('castValue: dates and times', () => {
  it.each<[Value, string, string]>([
    ['2024-02-29', 'date', '2024-02-29'],
    ['2024-01-02T00:00:00Z', 'date', '2024-01-02'],
    ['2024-01-02T01:00:00+01:00', 'date', '2024-01-02'],
    ['2024-01-02', 'timestamp', '2024-01-02T00:00:00'],
    ['2024-01-02 03:04', 'timestamp', '2024-01-02T03:04:00'],
    ['2024-01-02T03:04:05.123', 'timestamp', '2024-01-02T03:04:05.123000'],
    ['2024-01-02T03:04:05.123456000', 'timestamp', '2024-01-02T03:04:05.123456'],
    ['2024-01-02T03:04:05+02:00', 'timestamp', '2024-01-02T01:04:05'],
    ['2024-01-02T03:04:05.5+02:00', 'timestamptz', '2024-01-02T01:04:05.500000Z'],
    ['2024-01-02 03:04:05-0530', 'timestamptz', '2024-01-02T08:34:05Z'],
    ['2024-01-02 03:04:05+00', 'timestamptz', '2024-01-02T03:04:05Z'],
    ['2024-01-02 03:04:05 UTC', 'timestamptz', '2024-01-02T03:04:05Z'],
    ['2024-01-01T00:30:00+01:00', 'timestamptz', '2023-12-31T23:30:00Z'],
    ['2024-01-02T03:04:05', 'timestamptz', '2024-01-02T03:04:05Z'],
    [0, 'timestamptz', '1970-01-01T00:00:00Z'],
    [1700000000.5, 'timestamptz', '2023-11-14T22:13:20.500000Z'],
    [-1, 'timestamp', '1969-12-31T23:59:59'],
    [86400n, 'date', '1970-01-02'],
    ['0001-01-01T00:00:00Z', 'timestamp', '0001-01-01T00:00:00'],
    ['9999-12-31T23:59:59.999999', 'timestamptz', '9999-12-31T23:59:59.999999Z'],
  ])('%s to %s', (input, type, expected) => {
    expect(value(input, type)).toBe(expected)
  })

  it('takes the epoch unit from the options', () => {
    const ts = parseColumnType('timestamptz')
    expect(castValue(1700000000123, ts, { epochUnit: 'milliseconds' })).toEqual({
      ok: true,
      value: '2023-11-14T22:13:20.123000Z',
    })
    expect(castValue(1700000000123456n, ts, { epochUnit: 'microseconds' })).toEqual({
      ok: true,
      value: '2023-11-14T22:13:20.123456Z',
    })
    expect(castValue(1.5, ts, { epochUnit: 'microseconds' })).toMatchObject({ ok: false })
  })

  it.each<[Value, string, string]>([
    ['2024-02-30', 'date', 'no such date'],
    ['2023-02-29', 'date', 'no such date'],
    ['2024-13-01', 'timestamp', 'no such date'],
    ['2024-01-02T24:00:00', 'timestamp', 'no such time of day'],
    ['2024-01-02T03:04:05.1234567', 'timestamp', 'finer than microseconds'],
    ['2024-01-02T03:04:05+19:00', 'timestamptz', 'no such zone offset'],
    ['2024-01-02Z', 'timestamptz', 'a zone needs a time of day'],
    ['2024-01-02 03:04', 'date', 'has a time of day'],
    ['02/01/2024', 'date', 'not an ISO date or timestamp'],
    ['0000-12-31', 'date', 'no such date'],
    ['9999-12-31T23:00:00-01:00', 'timestamp', 'outside years 0001–9999'],
    [1e15, 'timestamp', 'outside years 0001–9999'],
    [0.0000001, 'timestamp', 'finer than microseconds'],
    [NaN, 'timestamp', 'not a finite number'],
    [true, 'date', 'a boolean is not a date or time'],
    [1.5, 'date', 'has a time of day'],
  ])('%s to %s fails', (input, type, message) => {
    expect(reason(input, type)).toContain(message)
  })

  it('canonical timestamps round-trip and agree with Date', () => {
    fc.assert(
      fc.property(canonicalTimestamp, (ts) => {
        expect(value(ts, 'timestamp')).toBe(ts)
        expect(value(`${ts}Z`, 'timestamptz')).toBe(`${ts}Z`)
        expect(value(value(ts, 'timestamptz'), 'timestamp')).toBe(ts)
        const ms = Date.parse(`${ts.slice(0, 23)}Z`)
        const viaEpoch = castValue(ms, parseColumnType('timestamp'), { epochUnit: 'milliseconds' })
        expect(viaEpoch).toEqual({ ok: true, value: value(ts.slice(0, 23), 'timestamp') })
      }),
    )
  })
})

describe('castValue: json and binary', () => {
  it('validates and compacts JSON text, keeping number digits', () => {
    expect(
      value(' { "a" : [1, 2.50, 12345678901234567890, "\\u0041", null, true] } ', 'json'),
    ).toBe('{"a":[1,2.50,12345678901234567890,"A",null,true]}')
    expect(value('"x"', 'json')).toBe('"x"')
    expect(value('{"a":1,"a":2}', 'json')).toBe('{"a":1,"a":2}')
    expect(value(12, 'json')).toBe('12')
    expect(value(2n ** 64n, 'json')).toBe('18446744073709551616')
    expect(value(true, 'json')).toBe('true')
  })

  it.each<[Value, string]>([
    ['hello', 'invalid JSON: unexpected character at offset 0'],
    ['{"a":1,}', 'invalid JSON: expected a string key at offset 7'],
    ['[1 2]', 'expected `,` or `]`'],
    ['{"a" 1}', 'expected `:`'],
    ['[1]x', 'unexpected text after the value'],
    ['01', 'unexpected text after the value'],
    ['"a\nb"', 'invalid string'],
    ['', 'unexpected character'],
    ['['.repeat(600) + ']'.repeat(600), 'nested too deeply'],
    [NaN, 'JSON has no NaN or Infinity'],
    [new Uint8Array(1), 'binary data is not JSON'],
  ])('%s to json fails', (input, message) => {
    expect(reason(input, 'json')).toContain(message)
  })

  it('JSON.stringify output is a fixpoint', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (j) => {
        const text = JSON.stringify(j)
        expect(value(text, 'json')).toBe(text)
        expect(value(JSON.stringify(j, null, 2), 'json')).toBe(text)
      }),
    )
  })

  it('decodes base64 and prefixed hex', () => {
    const bytes = new Uint8Array([0xde, 0xad, 0xbe, 0xef])
    expect(value('3q2+7w==', 'binary')).toEqual(bytes)
    expect(value('3q2-7w', 'binary')).toEqual(bytes)
    expect(value('\\xdeadbeef', 'binary')).toEqual(bytes)
    expect(value('0xDEADBEEF', 'binary')).toEqual(bytes)
    expect(value('', 'binary')).toEqual(new Uint8Array(0))
    expect(value(bytes, 'binary')).toBe(bytes)
  })

  it.each<[Value, string]>([
    ['not base64!', 'neither base64 nor'],
    ['abcde', 'neither base64 nor'],
    ['\\xabc', 'neither base64 nor'],
    ['ab=', 'neither base64 nor'],
    [12, 'a number is not binary data'],
  ])('%s to binary fails', (input, message) => {
    expect(reason(input, 'binary')).toContain(message)
  })

  it('binary round-trips through string', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        expect(value(value(bytes, 'string'), 'binary')).toEqual(bytes)
      }),
    )
  })
})
