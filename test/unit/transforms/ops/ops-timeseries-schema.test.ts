import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import {
  transformOpSchema,
  type TransformOp,
} from '../../../../src/core/spec/transform-op-schema.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { runOps } from './run-ops.js'

const ok = (v: unknown) => transformOpSchema.safeParse(v).success

describe('time-series op schemas', () => {
  it.each([
    ['a resample step that is not a duration', { resample: { step: '5 min', columns: ['v'] } }],
    ['a resample step of 0', { resample: { step: '0s', columns: ['v'] } }],
    ['an unknown aggregate', { resample: { step: '1m', columns: { v: 'median' } } }],
    ['agg with a columns mapping', { resample: { step: '1m', columns: { v: 'max' }, agg: 'sum' } }],
    ['an unknown fill', { resample: { step: '1m', columns: ['v'], fill: 'bfill' } }],
    ['rolling without windows or rows', { rolling: { columns: 'v', stats: ['mean'] } }],
    ['an unknown rolling stat', { rolling: { columns: 'v', stats: ['p101'], rows: [3] } }],
    ['a row window of 0', { rolling: { columns: 'v', stats: ['mean'], rows: [0] } }],
    ['a negative trend window', { trend: { columns: 'v', window: -5 } }],
    ['lag n of 0', { lag: { columns: 'v', n: 0 } }],
    ['an unknown time feature', { time_features: { features: ['second'] } }],
    ['a reference that is not a time', { completeness: { step: '1m', reference: 'yesterday' } }],
    ['completeness without step', { completeness: { by: ['g'] } }],
  ])('rejects %s', (_what, value) => {
    expect(ok(value)).toBe(false)
  })

  it('accepts the defaults', () => {
    for (const op of [
      { resample: { step: 300, columns: { v: 'avg', n: 'count' } } },
      { rolling: { columns: ['a', 'b'], stats: ['p50', 'std', 'count'], windows: ['PT5M'] } },
      { trend: { columns: 'v' } },
      { time_features: {} },
      { completeness: { step: '1d', reference: 'now' } },
    ]) {
      expect([op, ok(op)]).toEqual([op, true])
    }
  })
})

describe('the time-series examples of docs/transforms.md', () => {
  it('validate and run over a small table', async () => {
    const doc = await readFile(join(import.meta.dirname, '../../../../docs/transforms.md'), 'utf8')
    const part = doc.slice(
      doc.indexOf('### Time-series ops'),
      doc.indexOf('## TypeScript transforms'),
    )
    const ops = [...part.matchAll(/```yaml\n(- [\s\S]*?)```/g)].flatMap(
      (m) => parse(m[1]!) as TransformOp[],
    )
    expect(ops.length).toBe(11)
    const engine = await DuckDBEngine.open({ threads: 1, memoryLimit: '128MB' })
    try {
      await engine.run(`CREATE TABLE m AS SELECT
        TIMESTAMP '2024-01-01' + to_seconds(i * 45) AS timestamp,
        TIMESTAMP '2024-01-01' + to_seconds(i * 45) AS ts,
        'h' || (i % 2) AS host, 'p' AS path, 's' || (i % 3) AS sensor,
        i * 1.5 AS cpu, i AS requests, 10.0 + i % 4 AS latency_ms, i % 3 AS errors,
        i * 7 % 50 AS requests_total, i * 100 AS bytes_total, i % 5 AS value,
        20.0 + i / 10 AS temperature
        FROM range(40) t(i)`)
      for (const op of ops) {
        expect([op, transformOpSchema.safeParse(op).success]).toEqual([op, true])
        const r = await runOps(engine, 'm', [op])
        expect(r.rows.length, JSON.stringify(op)).toBeGreaterThan(0)
      }
    } finally {
      await engine.close()
    }
  })
})
