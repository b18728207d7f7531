import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ExactDecimal } from '../../../../src/data/types/exact-decimal.js'

const text = (s: string): string | undefined => ExactDecimal.parse(s)?.toString()

describe('ExactDecimal', () => {
  it.each([
    ['12', '12'],
    ['-1.50', '-1.5'],
    ['+.5', '0.5'],
    ['5.', '5'],
    ['1e3', '1000'],
    ['2.5E-4', '0.00025'],
    ['-0.000', '0'],
    ['000123.4500', '123.45'],
    ['12345678901234567890.123456789', '12345678901234567890.123456789'],
  ])('%s reads as %s', (input, expected) => {
    expect(text(input)).toBe(expected)
  })

  it.each(['', '.', '-', '1e', 'e5', '1.2.3', '0x10', '1_000', ' 1', 'Infinity', '1e999999999'])(
    'rejects %j',
    (input) => {
      expect(ExactDecimal.parse(input)).toBeUndefined()
    },
  )

  it('pads to a scale and refuses to round', () => {
    const d = ExactDecimal.parse('-1.5')!
    expect(d.toFixed(3)).toBe('-1.500')
    expect(d.toFixed(0)).toBeUndefined()
    expect(ExactDecimal.parse('0.05')!.integerDigits).toBe(0)
    expect(ExactDecimal.parse('120')!.integerDigits).toBe(3)
  })

  it('knows which values a double holds exactly', () => {
    expect(ExactDecimal.parse('0.1')!.toExactNumber()).toBe(0.1)
    expect(ExactDecimal.parse('9007199254740993')!.toExactNumber()).toBeUndefined()
    expect(ExactDecimal.parse('1e400')!.toExactNumber()).toBeUndefined()
  })

  it('round-trips bigints and doubles', () => {
    fc.assert(
      fc.property(fc.bigInt(), (n) => {
        expect(ExactDecimal.fromBigInt(n).toBigInt()).toBe(n)
        expect(ExactDecimal.parse(n.toString())!.toBigInt()).toBe(n)
      }),
    )
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        expect(ExactDecimal.fromNumber(d)!.toExactNumber()).toBe(d === 0 ? 0 : d)
      }),
    )
  })
})
