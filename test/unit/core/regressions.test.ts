import { describe, expect, it } from 'vitest'
import { formatDuration } from '../../../src/core/duration.js'
import { builtinVars } from '../../../src/core/template/builtin-vars.js'
import { coerceParam } from '../../../src/core/template/coerce-param.js'
import { resolveParams } from '../../../src/core/template/resolve-params.js'

const penv = { env: () => undefined, secret: () => {}, envUnset: 'error' as const }
const builtins = builtinVars('p', { logicalDate: new Date('2026-01-02T00:00:00Z') })

describe('regressions found by review', () => {
  it('formatDuration carries rounding into the next unit', () => {
    expect(formatDuration(119_600)).toBe('2m')
    expect(formatDuration(3_599_600)).toBe('1h')
    expect(formatDuration(59_999)).toBe('1m')
    expect(formatDuration(999.6)).toBe('1s')
  })

  it('a two-param default loop reports only the loop', () => {
    const { problems } = resolveParams(
      { a: '{{ params.b }}', b: '{{ params.a }}' },
      {},
      builtins,
      penv,
    )
    expect(new Set(problems.map((p) => p.code))).toEqual(new Set(['E_PARAM_CYCLE']))
  })

  it('values: checks each element of a list param', () => {
    const decl = { t: { type: 'list' as const, default: ['a'], values: ['a', 'b'] } }
    expect(resolveParams(decl, {}, builtins, penv).problems).toEqual([])
    const bad = resolveParams(decl, { t: 'a,c' }, builtins, penv).problems
    expect(bad.map((p) => p.code)).toEqual(['E_PARAM_TYPE'])
  })

  it('timestamps with impossible dates are rejected, not rolled over', () => {
    expect(coerceParam('2024-02-30T00:00:00Z', 'timestamp').ok).toBe(false)
    expect(coerceParam('2024-02-31', 'timestamp').ok).toBe(false)
    expect(coerceParam('2024-02-29T12:00:00Z', 'timestamp')).toEqual({
      ok: true,
      value: '2024-02-29T12:00:00.000Z',
    })
  })
})
