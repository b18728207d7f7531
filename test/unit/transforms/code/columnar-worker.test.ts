import { describe, expect, it } from 'vitest'
import type { Value } from '../../../../src/data/column-type.js'
import { columnarRowBatch, isColumnar } from '../../../../src/data/duckdb/columnar-row-batch.js'
import type { RowBatch } from '../../../../src/data/row-batch.js'
import { createRowBuilder } from '../../../../src/transforms/code/create-row-builder.js'
import { FIXTURES, collect, failure, schemaOf } from './helpers.js'

describe('createRowBuilder', () => {
  it('builds row objects from column vectors, NULL for a missing value', () => {
    const rowAt = createRowBuilder(['id', 'name'])([
      [1n, 2n],
      ['a', undefined as unknown as Value],
    ])
    expect(rowAt(0)).toEqual({ id: 1n, name: 'a' })
    expect(rowAt(1)).toEqual({ id: 2n, name: null })
    expect(Object.keys(rowAt(0))).toEqual(['id', 'name'])
  })

  it('takes any column name literally, hostile ones included', () => {
    const names = ['a"b', "c'd", 'e\nf', '"}); throw 1; ({"', '\\', '', '12', 'constructor']
    const rowAt = createRowBuilder(names)(names.map((_, i) => [i]))
    const row = rowAt(0)
    expect(names.map((n) => row[n])).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    // integer-like keys come first in JS key order, as for any object
    expect(Object.keys(row)[0]).toBe('12')
  })

  it('keeps __proto__ as a plain column and lets a duplicate name take its last value', () => {
    const proto = createRowBuilder(['__proto__', 'x'])([[{ evil: true } as unknown as Value], [1]])(
      0,
    )
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype)
    expect(Object.keys(proto)).toEqual(['__proto__', 'x'])
    const dup = createRowBuilder(['a', 'a'])([[1], [2]])(0)
    expect(dup).toEqual({ a: 2 })
    expect(createRowBuilder([])([])(0)).toEqual({})
  })
})

describe('a module transform over column-major batches (worker thread)', () => {
  it('maps columnar and row batches alike, in order, across many batches', async () => {
    const schema = schemaOf({ x: 'float64' })
    const input = (async function* (): AsyncGenerator<RowBatch> {
      for (let b = 0; b < 30; b++) {
        await Promise.resolve()
        const xs = Array.from({ length: 50 }, (_, i) => b * 50 + i)
        yield b % 2 === 0
          ? columnarRowBatch(schema, [xs], xs.length)
          : { schema, rows: xs.map((x) => [x]) }
      }
    })()
    const { batches, rows } = await collect({ module: `${FIXTURES}double.ts`, input })
    expect(batches.every((b) => isColumnar(b))).toBe(true)
    expect(rows).toHaveLength(1500)
    expect(rows.every((r, i) => r.x === i && r.x2 === 2 * i)).toBe(true)
  })

  it('fails with the input error when reading the input fails mid-way', async () => {
    const schema = schemaOf({ x: 'float64' })
    const input = (async function* (): AsyncGenerator<RowBatch> {
      yield { schema, rows: [[1]] }
      await Promise.resolve()
      throw new Error('disk on fire')
    })()
    const e = await failure(collect({ module: `${FIXTURES}double.ts`, input }))
    expect(e.message).toBe('disk on fire')
  })
})
