import { describe, expect, it } from 'vitest'
import type { Value } from '../../../../src/data/column-type.js'
import type { RowBatch } from '../../../../src/data/row-batch.js'
import { runCodeTransform } from '../../../../src/transforms/code/index.js'
import { FIXTURES, batchesOf, collect, failure, schemaOf } from './helpers.js'

const IDS = schemaOf({ id: 'int32' })
const idRows = (n: number): Value[][] => Array.from({ length: n }, (_, i) => [i + 1])

// Each run starts a worker thread (with tsx from sources, ~0.5 s); in-process cases live in
// inline-transform.test.ts.
describe('runCodeTransform with a module in a worker thread', () => {
  it('quarantines the 3 records of 10,000 that throw and keeps the other 9,997', async () => {
    const { rows, run, batches } = await collect({
      module: `${FIXTURES}throw-some.ts`,
      input: batchesOf(IDS, idRows(10_000), 1_000),
      onError: 'quarantine',
      ctx: { params: { bad: [1, 5000, 10000] }, taskId: 't1', runId: 'r1' },
    })
    expect(rows).toHaveLength(9_997)
    expect(rows[0]).toEqual({ id: 2, name: 'n2' })
    expect(rows.at(-1)).toEqual({ id: 9999, name: 'n9999' })
    expect(rows.some((r) => r.id === 5000)).toBe(false)
    expect(run.rejects()).toEqual([
      { row: 1, reason: 'bad id 1', raw: '{"id":1}' },
      { row: 5000, reason: 'bad id 5000', raw: '{"id":5000}' },
      { row: 10000, reason: 'bad id 10000', raw: '{"id":10000}' },
    ])
    expect(batches[0]?.schema).toEqual(schemaOf({ id: 'int32', name: 'string' }))
    expect(run.schema()).toEqual(schemaOf({ id: 'int32', name: 'string' }))
  })

  it('fails under on_error fail at the first bad record, naming its input row', async () => {
    const e = await failure(
      collect({
        module: `${FIXTURES}throw-some.ts`,
        input: batchesOf(IDS, idRows(10_000), 1_000),
        onError: 'fail',
        ctx: { params: { bad: [4321, 5000, 9000] }, taskId: 't1', runId: 'r1' },
      }),
    )
    expect(e.code).toBe('E_TRANSFORM_RECORD')
    expect(e.row).toBe(4321)
    expect(e.message).toBe('transform task t1: input row 4321 failed: bad id 4321')
  })

  it('fails under skip once more than max_bad_rows records are rejected', async () => {
    const params = { bad: [2, 3, 4] }
    const ok = await collect({
      module: `${FIXTURES}throw-some.ts`,
      input: batchesOf(IDS, idRows(10), 4),
      onError: 'skip',
      maxBadRows: 3,
      ctx: { params, taskId: 't1', runId: 'r1' },
    })
    expect(ok.rows.map((r) => r.id)).toEqual([1, 5, 6, 7, 8, 9, 10])
    const e = await failure(
      collect({
        module: `${FIXTURES}throw-some.ts`,
        input: batchesOf(IDS, idRows(10), 4),
        onError: 'skip',
        maxBadRows: 2,
        ctx: { params, taskId: 't1', runId: 'r1' },
      }),
    )
    expect(e.code).toBe('E_TRANSFORM_RECORD')
    expect(e.message).toContain('more than max_bad_rows (2)')
    expect(e.message).toContain('input row 2: bad id 2')
  })

  it('stops a looping transform at its timeout and an allocating one at its memory limit, while a good one finishes', async () => {
    const loopLogs: string[] = []
    const started = Date.now()
    const [loop, alloc, good] = await Promise.allSettled([
      collect({
        module: `${FIXTURES}endless-loop.ts`,
        input: batchesOf(IDS, idRows(3), 10),
        timeoutMs: 5_000,
        log: (t) => loopLogs.push(t),
      }),
      collect({
        module: `${FIXTURES}unbounded-alloc.ts`,
        input: batchesOf(IDS, idRows(3), 10),
        memoryMb: 64,
      }),
      collect({
        module: `${FIXTURES}double.ts`,
        input: batchesOf(
          schemaOf({ id: 'int32', x: 'float64' }),
          Array.from({ length: 20_000 }, (_, i) => [i, i + 0.5]),
          5_000,
        ),
      }),
    ])
    expect(loop.status).toBe('rejected')
    const timeout = (loop as PromiseRejectedResult).reason as Record<string, unknown>
    expect(timeout.code).toBe('E_TRANSFORM_TIMEOUT')
    expect(timeout.retryable).toBe(false)
    expect(timeout.message).toContain('timeout of 5000 ms')
    expect(loopLogs).toEqual(['looping on row 1']) // it really was inside the loop
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(alloc.status).toBe('rejected')
    const memory = (alloc as PromiseRejectedResult).reason as Record<string, unknown>
    expect(memory.code).toBe('E_TRANSFORM_MEMORY')
    expect(memory.message).toContain('memory limit of 64 MB')
    expect(good.status).toBe('fulfilled')
    const { rows } = (good as PromiseFulfilledResult<Awaited<ReturnType<typeof collect>>>).value
    expect(rows).toHaveLength(20_000)
    expect(rows[0]).toEqual({ id: 0, x: 0.5, x2: 1 })
    expect(rows[19_999]).toEqual({ id: 19_999, x: 19_999.5, x2: 39_999 })
  })

  it('is cancelled through its signal: the worker is terminated promptly', async () => {
    const ac = new AbortController()
    const logs: string[] = []
    const p = collect({
      module: `${FIXTURES}endless-loop.ts`,
      input: batchesOf(IDS, idRows(1), 10),
      timeoutMs: 60_000,
      signal: ac.signal,
      log: (t) => {
        logs.push(t)
        setTimeout(() => ac.abort(), 50)
      },
    })
    const e = await failure(p)
    expect(logs).toEqual(['looping on row 1'])
    expect(e.code).toBe('E_CANCELLED')
  })

  it('stops the worker and closes the input when the consumer leaves early', async () => {
    let produced = 0
    let closed = false
    const schema = schemaOf({ x: 'float64' })
    const input = (async function* (): AsyncGenerator<RowBatch> {
      try {
        for (;;) {
          await Promise.resolve()
          produced++
          yield { schema, rows: [[produced]] }
        }
      } finally {
        closed = true
      }
    })()
    const run = runCodeTransform({
      module: `${FIXTURES}double.ts`,
      input,
      onError: 'fail',
      timeoutMs: 20_000,
      ctx: { params: {}, taskId: 't1', runId: 'r1' },
      log: () => {},
    })
    const seen: Value[] = []
    for await (const b of run.batches) {
      seen.push(b.rows[0]?.[1] ?? null)
      if (seen.length === 3) break
    }
    await new Promise((r) => setTimeout(r, 20))
    expect(seen).toEqual([2, 4, 6])
    expect(closed).toBe(true)
    // backpressure: the worker reads at most a few batches ahead of the consumer
    expect(produced).toBeLessThanOrEqual(3 + 4)
  })

  it('runs a batch function and isolates the bad records by bisection', async () => {
    const amounts = [1, 2, -5, 4, 5, 6, 7, -8, 9, 10]
    const input = () =>
      batchesOf(
        schemaOf({ id: 'int32', amount: 'int32' }),
        amounts.map((a, i) => [i + 1, a]),
        6,
      )
    const { rows, run } = await collect({
      module: `${FIXTURES}batch-checks.ts`,
      input: input(),
      onError: 'quarantine',
    })
    expect(rows).toEqual(
      [1, 2, 4, 5, 6, 7, 9, 10].map((id) => ({ id, cents: (amounts[id - 1] as number) * 100 })),
    )
    expect(run.rejects()).toEqual([
      { row: 3, reason: 'negative amount -5', raw: '{"id":3,"amount":-5}' },
      { row: 8, reason: 'negative amount -8', raw: '{"id":8,"amount":-8}' },
    ])
    const e = await failure(collect({ module: `${FIXTURES}batch-checks.ts`, input: input() }))
    expect(e.code).toBe('E_TRANSFORM_RECORD')
    expect(e.row).toBe(3)
  })

  it('streams batches through an async generator, and a throw fails the task', async () => {
    const schema = schemaOf({ id: 'int32', amount: 'int32' })
    const { rows, logs, batches } = await collect({
      module: `${FIXTURES}running-total.ts`,
      input: batchesOf(
        schema,
        [
          [1, 10],
          [2, 20],
          [3, 30],
          [4, 40],
          [5, 50],
        ],
        2,
      ),
    })
    expect(rows).toEqual([
      { id: 1, total: 10 },
      { id: 2, total: 30 },
      { id: 3, total: 60 },
      { id: 4, total: 100 },
      { id: 5, total: 150 },
    ])
    expect(batches.map((b) => b.rows.length)).toEqual([2, 2, 1])
    expect(logs).toEqual(['saw 3 batches'])
    const e = await failure(
      collect({
        module: `${FIXTURES}running-total.ts`,
        input: batchesOf(
          schema,
          [
            [1, 10],
            [2, 666],
          ],
          1,
        ),
        onError: 'quarantine',
      }),
    )
    expect(e.code).toBe('E_TRANSFORM_FAILED')
    expect(e.message).toContain('the number of the beast')
  })

  it('fans out and drops records with an async map', async () => {
    const { rows } = await collect({
      module: `${FIXTURES}fan-out.ts`,
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
  })

  it('keeps int64, decimal and binary values exact across the thread boundary', async () => {
    const big = 2n ** 60n + 7n
    const { rows, batches, logs } = await collect({
      module: `${FIXTURES}values.ts`,
      input: batchesOf(
        schemaOf({ id: 'int64', price: 'decimal(12,3)', bytes: 'binary' }),
        [
          [1n, '12.340', new Uint8Array([1, 2, 255])],
          [big, '-0.001', null],
        ],
        1,
      ),
      ctx: { params: { factor: 3 }, taskId: 'prices', runId: 'run-9' },
    })
    expect(logs).toEqual(['task prices run run-9 factor 3'])
    expect(batches[0]?.schema).toEqual(
      schemaOf({
        id: 'int64',
        doubled: 'int64',
        price: 'decimal(12,3)',
        bytes: 'binary',
        at: 'string',
        none: 'string',
      }),
    )
    expect(rows).toEqual([
      {
        id: 1n,
        doubled: 2n,
        price: '12.340',
        bytes: new Uint8Array([1, 2, 255]),
        at: '2024-01-02T03:04:05.000Z',
        none: null,
      },
      {
        id: big,
        doubled: big * 2n,
        price: '-0.001',
        bytes: null,
        at: '2024-01-02T03:04:05.000Z',
        none: null,
      },
    ])
  })

  it('handles empty input, empty batches and a single row', async () => {
    const none = await collect({ module: `${FIXTURES}double.ts`, input: batchesOf(IDS, [], 10) })
    expect(none.batches).toEqual([])
    expect(none.run.schema()).toEqual({ columns: [] })
    const empties = await collect({
      module: `${FIXTURES}double.ts`,
      input: (async function* () {
        await Promise.resolve()
        yield { schema: schemaOf({ x: 'float64' }), rows: [] }
        yield { schema: schemaOf({ x: 'float64' }), rows: [[1.5]] }
        yield { schema: schemaOf({ x: 'float64' }), rows: [] }
      })(),
    })
    expect(empties.rows).toEqual([{ x: 1.5, x2: 3 }])
    expect(empties.batches).toHaveLength(1)
    // x2 = 3 is a whole JS number: a new number column settles as float64 all the same
    expect(empties.batches[0]?.schema).toEqual(schemaOf({ x: 'float64', x2: 'float64' }))
  })

  it('reports a module without the export and one that throws on load', async () => {
    const input = () => batchesOf(IDS, idRows(1), 10)
    const noExport = await failure(
      collect({ module: `${FIXTURES}no-transform.ts`, input: input() }),
    )
    expect(noExport.code).toBe('E_TRANSFORM_LOAD')
    expect(noExport.message).toBe(
      `transform module ${FIXTURES}no-transform.ts exports no map or transform function`,
    )
    expect(noExport.hint).toContain('exported functions: helper, other')
    const throws = await failure(collect({ module: `${FIXTURES}fails-to-load.ts`, input: input() }))
    expect(throws.code).toBe('E_TRANSFORM_LOAD')
    expect(throws.message).toContain(`${FIXTURES}fails-to-load.ts`)
    expect(throws.message).toContain('cannot start: missing configuration')
  })
})
