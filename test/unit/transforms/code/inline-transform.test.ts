import { describe, expect, it } from 'vitest'
import type { Value } from '../../../../src/data/column-type.js'
import type { RowBatch } from '../../../../src/data/row-batch.js'
import { createColumnEncoder } from '../../../../src/transforms/code/create-column-encoder.js'
import {
  createOutputSchemaSettler,
  loadTransformModule,
  resolveTransformFunction,
  runCodeTransform,
  type Row,
} from '../../../../src/transforms/code/index.js'
import { recordJson } from '../../../../src/transforms/code/record-json.js'
import { FIXTURES, batchesOf, collect, failure, schemaOf } from './helpers.js'

const AMOUNTS = schemaOf({ id: 'int32', amount: 'int32' })

describe('runCodeTransform with inline functions (in-process)', () => {
  it('fans out and drops records', async () => {
    const { rows, run } = await collect({
      inline: {
        map: (row) => {
          const n = row.n as number
          if (n === 0) return row.id === 1 ? null : undefined
          return Array.from({ length: n }, (_, i) => ({ id: row.id, copy: i + 1 }))
        },
      },
      input: batchesOf(
        schemaOf({ id: 'int32', n: 'int32' }),
        [
          [1, 0],
          [2, 1],
          [3, 3],
          [4, 0],
          [5, 2],
        ],
        2,
      ),
    })
    expect(rows).toEqual([
      { id: 2, copy: 1 },
      { id: 3, copy: 1 },
      { id: 3, copy: 2 },
      { id: 3, copy: 3 },
      { id: 5, copy: 1 },
      { id: 5, copy: 2 },
    ])
    expect(run.rejects()).toEqual([])
  })

  it('keeps values with their columns when a column name looks like a number', async () => {
    // (a schemaOf({...}) object would put "7" and "2024" first: integer-like keys sort first)
    const columns = ['name', '2024', '7'].map((name, i) => ({
      name,
      type: { kind: i === 0 ? ('string' as const) : ('int32' as const) },
      nullable: true,
    }))
    const { rows, batches } = await collect({
      inline: { map: (row) => ({ ...row, total: (row['2024'] as number) + (row['7'] as number) }) },
      input: batchesOf({ columns }, [['a', 1, 10]], 1),
    })
    expect(rows).toEqual([{ name: 'a', 2024: 1, 7: 10, total: 11 }])
    expect(batches[0]?.schema.columns.map((c) => c.name)).toEqual(['7', '2024', 'name', 'total'])
  })

  it('bisects a failing batch: 7 calls find the one bad record of 8, with fresh row objects each call', async () => {
    const calls: number[] = []
    const { rows, run } = await collect({
      inline: {
        transform: (batch: Row[]) => {
          calls.push(batch.length)
          const out = batch.map((r) => {
            r.amount = (r.amount as number) * 100 // mutates its input: retries must not see this
            return r
          })
          if (batch.some((r) => r.id === 1)) throw new Error('id 1 is cursed')
          return out
        },
      },
      input: batchesOf(
        AMOUNTS,
        Array.from({ length: 8 }, (_, i) => [i + 1, i + 1]),
        8,
      ),
      onError: 'skip',
    })
    expect(calls).toEqual([8, 4, 2, 1, 1, 2, 4])
    expect(rows).toEqual([2, 3, 4, 5, 6, 7, 8].map((id) => ({ id, amount: id * 100 })))
    expect(run.rejects()).toEqual([
      { row: 1, reason: 'id 1 is cursed', raw: '{"id":1,"amount":1}' },
    ])
  })

  it('bisects an odd batch down to every bad record (first and last)', async () => {
    const { rows, run } = await collect({
      inline: {
        transform: (batch: Row[]) => {
          const bad = batch.find((r) => r.amount === 0)
          if (bad) throw new Error(`zero at ${String(bad.id)}`)
          return batch.map((r) => ({ id: r.id, inverse: 1 / (r.amount as number) }))
        },
      },
      input: batchesOf(
        AMOUNTS,
        [
          [1, 0],
          [2, 2],
          [3, 4],
          [4, 5],
          [5, 0],
        ],
        5,
      ),
      onError: 'quarantine',
    })
    expect(rows).toEqual([
      { id: 2, inverse: 0.5 },
      { id: 3, inverse: 0.25 },
      { id: 4, inverse: 0.2 },
    ])
    expect(run.rejects().map((r) => [r.row, r.reason])).toEqual([
      [1, 'zero at 1'],
      [5, 'zero at 5'],
    ])
  })

  it('fails a batch function that does not return an array, without bisecting', async () => {
    let calls = 0
    const e = await failure(
      collect({
        inline: {
          transform: () => {
            calls++
            return 3
          },
        },
        input: batchesOf(
          AMOUNTS,
          [
            [1, 1],
            [2, 2],
          ],
          10,
        ),
        onError: 'skip',
      }),
    )
    expect(e.code).toBe('E_TRANSFORM_FAILED')
    expect(e.message).toBe('transform "transform" returned number instead of an array of rows')
    expect(calls).toBe(1)
  })

  it('rejects a record whose output is not a row of sluice values', async () => {
    const { rows, run } = await collect({
      inline: { map: (row) => (row.id === 2 ? { id: row.id, tags: ['a'] } : { id: row.id }) },
      input: batchesOf(
        AMOUNTS,
        [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
        10,
      ),
      onError: 'quarantine',
    })
    expect(rows).toEqual([{ id: 1 }, { id: 3 }])
    expect(run.rejects()).toEqual([
      {
        row: 2,
        reason:
          'column "tags": an array is not a sluice value (use null, boolean, number, bigint, string, JSON text or Uint8Array)',
        raw: '{"id":2,"amount":2}',
      },
    ])
    // a rejected output must not leave its column behind
    expect(run.schema()).toEqual(schemaOf({ id: 'int32' }))
  })

  it('streams through an inline async generator', async () => {
    const { rows } = await collect({
      inline: {
        async *transform(batches: AsyncIterable<Row[]>) {
          let seen = 0
          for await (const batch of batches) {
            seen += batch.length
            yield [{ seen }]
          }
        },
      },
      input: batchesOf(
        AMOUNTS,
        [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
        2,
      ),
    })
    expect(rows).toEqual([{ seen: 2 }, { seen: 3 }])
  })

  it('stops waiting at the timeout (an async function that never settles)', async () => {
    const e = await failure(
      collect({
        inline: { map: () => new Promise(() => {}) },
        input: batchesOf(AMOUNTS, [[1, 1]], 10),
        timeoutMs: 150,
      }),
    )
    expect(e.code).toBe('E_TRANSFORM_TIMEOUT')
    expect(e.message).toBe('transform task t1 (inline) ran past its timeout of 150 ms')
    expect(e.retryable).toBe(false)
  })

  it('does not start when the signal is already aborted', async () => {
    let calls = 0
    const ac = new AbortController()
    ac.abort()
    const e = await failure(
      collect({
        inline: { map: (r) => (calls++, r) },
        input: batchesOf(AMOUNTS, [[1, 1]], 10),
        signal: ac.signal,
      }),
    )
    expect(e.code).toBe('E_CANCELLED')
    expect(calls).toBe(0)
  })

  it('closes the input when the consumer stops early', async () => {
    let closed = false
    const input = (async function* (): AsyncGenerator<RowBatch> {
      try {
        for (let i = 0; ; i++) {
          await Promise.resolve()
          yield { schema: AMOUNTS, rows: [[i, i]] }
        }
      } finally {
        closed = true
      }
    })()
    const run = runCodeTransform({
      inline: { map: (r) => r },
      input,
      onError: 'fail',
      timeoutMs: 5_000,
      ctx: { params: {}, taskId: 't1', runId: 'r1' },
      log: () => {},
    })
    const seen: Value[] = []
    for await (const b of run.batches) {
      seen.push(b.rows[0]?.[0] ?? null)
      if (seen.length === 2) break
    }
    await new Promise((r) => setTimeout(r, 10))
    expect(seen).toEqual([0, 1])
    expect(closed).toBe(true)
  })

  it('needs exactly one of module and inline', () => {
    expect(() =>
      runCodeTransform({
        input: batchesOf(AMOUNTS, [], 1),
        onError: 'fail',
        timeoutMs: 1000,
        ctx: { params: {}, taskId: 't1', runId: 'r1' },
        log: () => {},
      }),
    ).toThrow(expect.objectContaining({ code: 'E_TRANSFORM_LOAD' }))
  })
})

describe('output schema', () => {
  const numbers = (values: Value[], size: number) =>
    batchesOf(
      schemaOf({ id: 'int32' }),
      values.map((v, i) => [i + 1, v]),
      size,
    )
  const asV = { map: (row: Row) => ({ v: row.amount }) }

  it('is settled by the first output batch and later values are cast to it', async () => {
    const { batches } = await collect({
      inline: { map: (row) => (row.id === 3 ? { v: 7 } : row.id === 4 ? {} : { v: row.v }) },
      input: batchesOf(
        schemaOf({ id: 'int32', v: 'int64' }),
        [
          [1, 5n],
          [2, null],
          [3, 0n],
          [4, 0n],
        ],
        2,
      ),
    })
    // v keeps the int64 type of the input column; the later number 7 is cast to a bigint, and a
    // row without v has NULL there
    expect(batches.map((b) => b.schema)).toEqual([
      schemaOf({ v: 'int64' }),
      schemaOf({ v: 'int64' }),
    ])
    expect(batches.map((b) => b.rows)).toEqual([
      [[5n], [null]],
      [[7n], [null]],
    ])
  })

  it('widens across the rows of the first batch and fills missing columns with NULL', async () => {
    const { batches } = await collect({
      inline: { map: (row) => (row.id === 1 ? { a: 1 } : { a: 2.5, b: true }) },
      input: batchesOf(
        AMOUNTS,
        [
          [1, 0],
          [2, 0],
          [3, 0],
        ],
        10,
      ),
    })
    expect(batches[0]?.schema).toEqual(schemaOf({ a: 'float64', b: 'boolean' }))
    expect(batches[0]?.rows).toEqual([
      [1, null],
      [2.5, true],
      [2.5, true],
    ])
  })

  it('fails with E_SCHEMA_DRIFT when a later value does not fit or a new column appears', async () => {
    // a whole JS number settles float64 (not int32), so 3 then 2.5 fits; a string later does not
    const drift = await failure(
      collect({
        inline: { map: (row) => ({ v: row.amount === 3 ? 3 : 'two and a half' }) },
        input: batchesOf(schemaOf({ amount: 'float64' }), [[3], [2.5]], 1),
      }),
    )
    expect(drift.code).toBe('E_SCHEMA_DRIFT')
    expect(drift.message).toContain('column "v" is float64 (settled by the first output batch)')
    expect(drift.hint).toContain('declare the output columns')
    const fresh = await failure(
      collect({
        inline: { map: (row) => (row.id === 1 ? { id: row.id } : { id: row.id, late: 1 }) },
        input: numbers([0, 0], 1),
      }),
    )
    expect(fresh.code).toBe('E_SCHEMA_DRIFT')
    expect(fresh.message).toBe(
      'transform task t1 output: column "late" appeared after the schema was settled by the first output batch',
    )
  })

  it('follows a declared schema: column order, casts, NULL for missing, errors for undeclared', async () => {
    const declared = {
      columns: [
        { name: 'v', type: { kind: 'float64' as const }, nullable: false },
        { name: 'id', type: { kind: 'int64' as const }, nullable: true },
        { name: 'note', type: { kind: 'string' as const }, nullable: true },
      ],
    }
    const { batches } = await collect({
      inline: asV,
      input: batchesOf(
        schemaOf({ id: 'int32', amount: 'float64' }),
        [
          [1, 3],
          [2, 2.5],
        ],
        1,
      ),
      schema: declared,
    })
    expect(batches.map((b) => b.rows)).toEqual([[[3, null, null]], [[2.5, null, null]]])
    const withId = await collect({
      inline: { map: (row) => ({ id: row.id, v: row.amount }) },
      input: batchesOf(schemaOf({ id: 'int32', amount: 'float64' }), [[7, 1.5]], 1),
      schema: declared,
    })
    expect(withId.batches[0]?.rows).toEqual([[1.5, 7n, null]])
    expect(withId.run.schema()).toBe(declared)
    const undeclared = await failure(
      collect({
        inline: { map: (row) => ({ v: 1, other: row.id }) },
        input: numbers([0], 1),
        schema: declared,
      }),
    )
    expect(undeclared.code).toBe('E_SCHEMA_DRIFT')
    expect(undeclared.message).toContain('column "other" is not declared')
    const notNull = await failure(
      collect({ inline: { map: () => ({ v: null }) }, input: numbers([0], 1), schema: declared }),
    )
    expect(notNull.code).toBe('E_SCHEMA_DRIFT')
    expect(notNull.message).toContain('column "v" is NOT NULL but a row has NULL')
  })

  it('settles each column type on its own (unit)', () => {
    const settler = createOutputSchemaSettler(undefined, () => undefined, 'x')
    expect(settler.current()).toBeUndefined()
    const batch = settler.toBatch(
      ['n', 's'],
      [
        [1n, null],
        [null, 'a'],
      ],
      2,
    )
    expect(batch.schema).toEqual(schemaOf({ n: 'int64', s: 'string' }))
    expect(batch.vectors).toEqual([
      [1n, null],
      [null, 'a'],
    ])
    expect(batch.rows).toEqual([
      [1n, null],
      [null, 'a'],
    ])
    // columns in another order, one missing: cast in place, the missing one NULL
    const later = settler.toBatch(['s'], [[3, 'b']], 2)
    expect(later.vectors).toEqual([
      [null, null],
      ['3', 'b'],
    ])
    expect(settler.toBatch(['n', 's'], [[2], [3]], 1).rows).toEqual([[2n, '3']])
  })
})

describe('transform building blocks', () => {
  it('resolves functions and modes', () => {
    async function* gen(): AsyncGenerator<Row[]> {}
    function transform(rows: Row[]): Row[] {
      return rows
    }
    const map = (r: Row): Row => r
    expect(resolveTransformFunction({ default: transform }, 'm').mode).toBe('batch')
    expect(resolveTransformFunction({ default: { map } }, 'm').mode).toBe('row')
    expect(resolveTransformFunction({ transform: gen }, 'm').mode).toBe('stream')
    expect(resolveTransformFunction({ clean: map }, 'm', 'clean').mode).toBe('row')
    expect(resolveTransformFunction({ clean: map }, 'm', 'clean', 'batch').mode).toBe('batch')
    expect(resolveTransformFunction({ map, transform }, 'm', undefined, 'row').name).toBe('map')
    expect(() => resolveTransformFunction({ map, transform }, 'm')).toThrow(
      'm exports both map and transform; which one should run?',
    )
    expect(() => resolveTransformFunction({ map }, 'm', undefined, 'stream')).toThrow(
      'is not an async generator function',
    )
    expect(() => resolveTransformFunction({ transform: gen }, 'm', undefined, 'batch')).toThrow(
      'it can only run in stream mode',
    )
  })

  it('loads a module in-process and names what is missing', async () => {
    const upper = await loadTransformModule(`${FIXTURES}named-export.ts`, 'upper')
    expect(upper.mode).toBe('row')
    expect(upper.fn({ name: 'ab' }, {})).toEqual({ name: 'AB' })
    const e = await failure(loadTransformModule(`${FIXTURES}named-export.ts`, 'clean'))
    expect(e.code).toBe('E_TRANSFORM_LOAD')
    expect(e.message).toBe(
      `transform module ${FIXTURES}named-export.ts has no exported function "clean"`,
    )
    expect(e.hint).toContain('exported functions: keepFirst, upper')
    const missing = await failure(loadTransformModule(`${FIXTURES}nope.ts`))
    expect(missing.code).toBe('E_TRANSFORM_LOAD')
    expect(missing.message).toContain(`cannot load transform module ${FIXTURES}nope.ts`)
  })

  it('encodes rows all or nothing, column by column', () => {
    const enc = createColumnEncoder()
    enc.encodeAll([
      { a: 1, b: undefined },
      { b: 'x', a: 2, c: new Date(Date.UTC(2020, 1, 3)) },
    ])
    expect(enc.columns).toEqual(['a', 'b', 'c'])
    expect(enc.rowCount).toBe(2)
    expect(() => enc.encodeAll([{ d: 1 }, { e: { nested: true } }])).toThrow(
      'column "e": a Object is not a sluice value',
    )
    expect(() => enc.encodeAll([{ a: 3 }, 'text'])).toThrow(
      'a row must be an object of column values, got a string',
    )
    expect(enc.columns).toEqual(['a', 'b', 'c'])
    expect(enc.rowCount).toBe(2)
    enc.encodeAll([{ c: 'late' }])
    expect(enc.take()).toEqual({
      columns: ['a', 'b', 'c'],
      vectors: [
        [1, 2, null],
        [null, 'x', null],
        [null, '2020-02-03T00:00:00.000Z', 'late'],
      ],
      rowCount: 3,
    })
    // take() starts afresh but keeps the columns
    expect(enc.take()).toEqual({ columns: ['a', 'b', 'c'], vectors: [[], [], []], rowCount: 0 })
    enc.encodeAll([{}])
    expect(enc.take().vectors).toEqual([[null], [null], [null]])
  })

  it('writes rejected records as JSON without losing bigint or binary values', () => {
    expect(recordJson(['id', 'b', 'n'], [2n ** 63n - 1n, new Uint8Array([0, 255]), null])).toBe(
      '{"id":"9223372036854775807","b":"AP8=","n":null}',
    )
    expect(recordJson([], [])).toBe('{}')
  })
})
