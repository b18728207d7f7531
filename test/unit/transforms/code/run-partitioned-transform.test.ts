import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TableSchema, Value } from '../../../../src/data/column-type.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { quoteLiteral } from '../../../../src/data/duckdb/quote-literal.js'
import {
  runPartitionedTransform,
  type PartitionedTransformOptions,
} from '../../../../src/transforms/code/run-partitioned-transform.js'

const ROWS = 3000
let dir: string
let engine: DuckDBEngine
let input: string

/** A module file in the test directory. */
async function moduleOf(name: string, code: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, code)
  return path
}

async function run(o: Partial<PartitionedTransformOptions> & { module: string }) {
  const logs: string[] = []
  let rowsIn = 0
  const partDir = join(dir, `parts-${Math.random().toString(36).slice(2)}`)
  const result = await runPartitionedTransform({
    input: { path: input, rowCount: ROWS },
    batchRows: 250,
    partDir,
    maxWorkers: 2,
    minPartitionRows: 1000,
    partRows: 400,
    onError: 'fail',
    timeoutMs: 30_000,
    memoryMb: 128,
    ctx: { params: {}, taskId: 't1', runId: 'r1' },
    log: (t) => logs.push(t),
    onRowsIn: (n) => (rowsIn += n),
    ...o,
  })
  const rows: Value[][] =
    result.parts.length === 0
      ? []
      : (
          await engine.all(
            `SELECT * FROM read_parquet([${result.parts.map(quoteLiteral).join(', ')}])`,
          )
        ).rows
  return { ...result, rows, logs, rowsIn }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-partitioned-'))
  engine = await DuckDBEngine.open({ threads: 1 })
  input = join(dir, 'input.parquet')
  // small row groups, so that both workers' ranges span several
  await engine.run(
    `COPY (SELECT range AS id, 'name_' || range AS name, CAST(range / 4.0 AS DECIMAL(10,3)) AS amount, range % 3 = 0 AS flag,
       CASE WHEN range % 7 = 0 THEN NULL ELSE 'long text value number ' || range END AS note
     FROM range(${ROWS})) TO ${quoteLiteral(input)} (FORMAT parquet, ROW_GROUP_SIZE 500)`,
  )
})

afterAll(async () => {
  await engine.close()
  await rm(dir, { recursive: true, force: true })
})

describe('runPartitionedTransform (workers read and write Parquet themselves)', () => {
  it('maps every row in input order across two workers, values exact, rejects numbered across the input', async () => {
    const module = await moduleOf(
      'spread.mjs',
      `export function map(row, ctx) {
         if (row.id === 7n || row.id === 1500n || row.id === 2999n) throw new Error('bad ' + row.id)
         if (row.id === 10n) ctx.log('ten')
         if (row.id === 11n) return null
         return { ...row, total: row.amount * 2, caf: 'café' + (row.id % 2n) }
       }`,
    )
    const r = await run({ module, onError: 'quarantine' })
    expect(r.rejects.map((x) => [x.row, x.reason])).toEqual([
      [8, 'bad 7'],
      [1501, 'bad 1500'],
      [3000, 'bad 2999'],
    ])
    expect(JSON.parse(r.rejects[0]!.raw)).toMatchObject({ id: '7', name: 'name_7' })
    expect(r.rowCount).toBe(ROWS - 4)
    expect(r.parts.length).toBeGreaterThan(2) // both workers, several parts each
    expect(r.rowsIn).toBe(ROWS)
    expect(r.logs).toEqual(['ten'])
    expect(r.schema?.columns.map((c) => `${c.name}:${c.type.kind}`)).toEqual([
      'id:int64',
      'name:string',
      'amount:decimal',
      'flag:boolean',
      'note:string',
      'total:float64',
      'caf:string',
    ])
    const ids = r.rows.map((x) => x[0])
    const expected = Array.from({ length: ROWS }, (_, i) => BigInt(i)).filter(
      (i) => ![7n, 11n, 1500n, 2999n].includes(i),
    )
    expect(ids).toEqual(expected)
    const row1499 = r.rows.find((x) => x[0] === 1499n)!
    expect(row1499).toEqual([
      1499n,
      'name_1499',
      '374.750',
      false,
      'long text value number 1499',
      749.5,
      'café1',
    ])
    expect(r.rows.find((x) => x[0] === 14n)?.[4]).toBeNull()
  })

  it('under on_error fail names the first bad record in input order, even when a later worker hits one first', async () => {
    const module = await moduleOf(
      'late-and-early.mjs',
      `export function map(row) {
         if (row.id === 1600n) throw new Error('late')
         if (row.id === 1400n) { const t = Date.now(); while (Date.now() - t < 300); throw new Error('early') }
         return row
       }`,
    )
    await expect(run({ module })).rejects.toMatchObject({
      code: 'E_TRANSFORM_RECORD',
      message: expect.stringContaining('input row 1401 failed: early'),
    })
  })

  it('fails once more than max_bad_rows records are rejected across the workers', async () => {
    const module = await moduleOf(
      'every-500.mjs',
      `export function map(row) { if (row.id % 500n === 3n) throw new Error('x'); return row }`,
    )
    await expect(run({ module, onError: 'skip', maxBadRows: 4 })).rejects.toMatchObject({
      code: 'E_TRANSFORM_RECORD',
      message: expect.stringContaining('more than max_bad_rows (4)'),
    })
    const ok = await run({ module, onError: 'skip', maxBadRows: 6 })
    expect(ok.rejects.map((x) => x.row)).toEqual([4, 504, 1004, 1504, 2004, 2504])
  })

  it('settles the schema from the first output in input order, and holds the other worker to it', async () => {
    // worker 0 drops all its rows: the schema comes from worker 1's first chunk
    const drop = await moduleOf(
      'drop-first-half.mjs',
      `export function map(row) { return row.id < 1500n ? null : { id: row.id, x: Number(row.id) } }`,
    )
    const r = await run({ module: drop })
    expect(r.schema?.columns.map((c) => `${c.name}:${c.type.kind}`)).toEqual([
      'id:int64',
      'x:float64',
    ])
    expect(r.rowCount).toBe(1500)
    // a column worker 1 adds that worker 0's first chunk did not have: schema drift
    const drift = await moduleOf(
      'drift.mjs',
      `export function map(row) { return row.id < 1500n ? { id: row.id } : { id: row.id, extra: 1 } }`,
    )
    await expect(run({ module: drift })).rejects.toMatchObject({ code: 'E_SCHEMA_DRIFT' })
    // a declared schema is cast to in every worker
    const declared: TableSchema = {
      columns: [
        { name: 'id', type: { kind: 'int64' }, nullable: false },
        { name: 'x', type: { kind: 'int64' }, nullable: true },
      ],
    }
    const cast = await run({ module: drop, schema: declared })
    expect(cast.schema).toEqual(declared)
    expect(cast.rows[0]).toEqual([1500n, 1500n])
  })

  it('runs stream mode in one worker over the whole input, and batch mode per batch', async () => {
    const stream = await moduleOf(
      'stream.mjs',
      `export async function* transform(batches) {
         let n = 0
         for await (const rows of batches) n += rows.length
         yield [{ n }]
       }`,
    )
    const s = await run({ module: stream })
    expect(s.rows).toEqual([[3000]])
    const batch = await moduleOf(
      'batch.mjs',
      `export function transform(rows) { return [{ first: rows[0].id, n: rows.length }] }`,
    )
    const b = await run({ module: batch })
    expect(b.rows.map((x) => x[0])).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i * 250)))
  })

  it('writes nothing when every record is dropped, and stops all workers at the timeout', async () => {
    const none = await moduleOf('none.mjs', `export function map() { return null }`)
    const r = await run({ module: none })
    expect(r).toMatchObject({ parts: [], rowCount: 0, schema: undefined })
    const loop = await moduleOf(
      'loop.mjs',
      `export function map(row) { if (row.id === 2000n) for (;;); return row }`,
    )
    const t0 = Date.now()
    await expect(run({ module: loop, timeoutMs: 3000 })).rejects.toMatchObject({
      code: 'E_TRANSFORM_TIMEOUT',
    })
    expect(Date.now() - t0).toBeLessThan(15_000)
  })
})
