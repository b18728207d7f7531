import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  TRANSFORM_OP_NAMES,
  transformOpSchema,
  transformOpsSchema,
} from '../../../../src/core/spec/transform-op-schema.js'

const ok = (v: unknown) => transformOpSchema.safeParse(v).success

describe('transformOpSchema', () => {
  it('accepts the documented shape of every op', () => {
    const ops = [
      { select: ['a', 'b'] },
      { select: { exclude: ['c'] } },
      { rename: { old: 'new' } },
      { cast: { amount: 'decimal(12,2)', n: 'int64' } },
      { cast: { columns: { n: 'int64' }, on_error: null } },
      { cast: { columns: { n: 'int64' }, on_error: 'fail' } },
      { filter: "amount > 0 AND status <> 'x'" },
      { derive: { total: 'price * qty' } },
      { dedupe: { keys: ['id'], keep: 'last', order_by: 'updated_at' } },
      { dedupe: { keys: ['id'], order_by: ['a', 'b'] } },
      {
        aggregate: {
          group_by: ['day'],
          measures: { n: 'count(*)', p95: 'percentile(amount, 0.95)' },
        },
      },
      { join: { with: 'other', on: ['customer_id'], how: 'anti', suffix: '_r' } },
      { join: { with: 'other', on: { left_col: 'right_col' } } },
      { sort: ['ts', '-amount'] },
      { sort: 'ts' },
      { limit: 100 },
      { fill_null: { amount: 0, status: 'unknown', flag: false } },
      {
        impute: {
          columns: ['value'],
          method: 'linear',
          by: ['sensor'],
          order_by: 'ts',
          max_gap: 3,
        },
      },
      { impute: { columns: ['value'], method: 'median' } },
      { outliers: { columns: ['x'], method: 'iqr', k: 1.5, action: 'clip', by: ['g'] } },
      { outliers: { columns: ['x'], method: 'zscore', threshold: 3, action: 'drop' } },
      { scale: { columns: ['x'], method: 'robust', by: ['g'], suffix: '_s' } },
      { drop_incomplete: { min_share: 0.8, columns: ['a', 'b'] } },
      { sample: { n: 1000, seed: 1 } },
      { sample: { fraction: 0.1, stratify_by: 'country' } },
      { sample: { every: 10, order_by: 'ts' } },
      { resample: { step: '5m', columns: ['v'], agg: 'max', fill: 'linear', by: ['g'] } },
      { rate: { columns: 'requests_total', time: 'ts', by: ['host'] } },
      { increase: { columns: ['requests_total'] } },
      { rolling: { columns: ['v'], stats: ['mean', 'p95'], windows: ['5m', '1h'], rows: [10] } },
      { trend: { columns: 'v', window: '1h', per: '1m' } },
      { lag: { columns: 'v', n: [1, 24] } },
      { delta: { columns: 'v', by: ['g'] } },
      { time_features: { time: 'ts', features: ['hour', 'is_weekend'] } },
      { completeness: { step: '1m', by: ['g'], reference: '2024-05-01T00:00:00Z' } },
    ]
    for (const op of ops) expect([op, ok(op)]).toEqual([op, true])
    expect(new Set(ops.map((o) => Object.keys(o)[0]))).toEqual(new Set(TRANSFORM_OP_NAMES))
    expect(transformOpsSchema.safeParse(ops).success).toBe(true)
  })

  it.each([
    ['two op keys in one item', { limit: 1, filter: 'true' }],
    ['an unknown op', { selct: ['a'] }],
    ['an empty item', {}],
    ['an unknown option', { dedupe: { keys: ['a'], keeep: 'last' } }],
    ['an empty rename', { rename: {} }],
    ['an empty column list', { select: [] }],
    ['a negative limit', { limit: -1 }],
    ['a fractional limit', { limit: 1.5 }],
    ['ffill without order_by', { impute: { columns: ['x'], method: 'ffill' } }],
    ['k with zscore', { outliers: { columns: ['x'], method: 'zscore', k: 2 } }],
    ['threshold with iqr', { outliers: { columns: ['x'], threshold: 2 } }],
    ['min_share 0', { drop_incomplete: { min_share: 0 } }],
    ['min_share over 1', { drop_incomplete: { min_share: 1.2 } }],
    ['n and fraction together', { sample: { n: 1, fraction: 0.5 } }],
    ['seed with every', { sample: { every: 2, seed: 1 } }],
    ['a fraction over 1', { sample: { fraction: 2 } }],
    ['an unknown join kind', { join: { with: 'o', on: ['a'], how: 'outer' } }],
    ['a null fill value', { fill_null: { a: null } }],
  ])('rejects %s', (_what, value) => {
    expect(ok(value)).toBe(false)
  })

  it('exports a JSON Schema with descriptions for editors', () => {
    const schema = JSON.stringify(
      z.toJSONSchema(transformOpsSchema, { unrepresentable: 'any', io: 'input' }),
    )
    for (const name of TRANSFORM_OP_NAMES) expect(schema).toContain(`"${name}"`)
    expect(schema).toContain('Longest run of consecutive NULLs')
  })
})
