import { describe, expect, it } from 'vitest'
import { DROP, parseSampleValue } from '../../../../src/connectors/prometheus/parse-sample-value.js'

describe('parseSampleValue', () => {
  it('reads finite values the same under every policy', () => {
    for (const p of ['null', 'drop', 'keep'] as const) {
      expect(parseSampleValue('1.5', p)).toBe(1.5)
      expect(parseSampleValue('-0.25e3', p)).toBe(-250)
      expect(parseSampleValue('0', p)).toBe(0)
    }
  })

  it('non_finite null turns NaN, +Inf and -Inf into NULL', () => {
    for (const t of ['NaN', '+Inf', '-Inf']) expect(parseSampleValue(t, 'null')).toBeNull()
  })

  it('non_finite drop marks the sample to leave out', () => {
    for (const t of ['NaN', '+Inf', '-Inf']) expect(parseSampleValue(t, 'drop')).toBe(DROP)
  })

  it('non_finite keep gives the float64 NaN and infinities (Number("+Inf") alone would be NaN)', () => {
    expect(parseSampleValue('NaN', 'keep')).toBeNaN()
    expect(parseSampleValue('+Inf', 'keep')).toBe(Infinity)
    expect(parseSampleValue('-Inf', 'keep')).toBe(-Infinity)
  })
})
