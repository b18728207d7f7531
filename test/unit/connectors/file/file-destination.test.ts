import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileDestination } from '../../../../src/connectors/file/file-destination.js'
import { FileSource } from '../../../../src/connectors/file/file-source.js'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import type { TableSchema } from '../../../../src/data/column-type.js'
import type { WriteContext } from '../../../../src/data/connector-contract.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import type { RowBatch } from '../../../../src/data/row-batch.js'
import { collect, fromRows, readCtx } from './file-test-helpers.js'

let engine: DuckDBEngine
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-file-dst-'))
  engine = await DuckDBEngine.open({ memoryLimit: '256MB', workspaceDir: join(dir, 'ws') })
})
afterAll(async () => {
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
})

const schema: TableSchema = {
  columns: [
    { name: 'id', type: { kind: 'int64' }, nullable: false },
    { name: 'name', type: { kind: 'string' }, nullable: true },
    { name: 'region', type: { kind: 'string' }, nullable: true },
  ],
}
const batch = (rows: RowBatch['rows']): RowBatch => ({ schema, rows })
const ctx = (mode: WriteContext['mode'] = 'replace'): WriteContext => ({
  signal: new AbortController().signal,
  schema,
  mode,
  log: () => {},
})

async function write(
  options: Record<string, unknown>,
  batches: AsyncIterable<RowBatch>,
  mode?: WriteContext['mode'],
) {
  const d = new FileDestination(options, { engine, baseDir: dir })
  try {
    return await d.write(ctx(mode), batches)
  } finally {
    await d.close()
  }
}

async function read(options: Record<string, unknown>) {
  const s = new FileSource(options, { engine, baseDir: dir })
  try {
    return await collect(s.read(readCtx()))
  } finally {
    await s.close()
  }
}

const rows1 = [
  [1n, 'a', 'eu'],
  [2n, '', 'us'],
  [3n, null, 'eu'],
]

function tmpLeftovers(path: string): string[] {
  return readdirSync(path).filter((f) => f.startsWith('.tmp-') || f.startsWith('.trash-'))
}

describe('FileDestination', () => {
  it('writes CSV, JSONL, JSON and Parquet that read back the same ("" vs NULL kept)', async () => {
    for (const name of ['o.csv', 'o.jsonl', 'o.json', 'o.parquet', 'o.csv.gz', 'o.jsonl.zst']) {
      const r = await write({ path: `out/${name}` }, fromRows([batch(rows1)]))
      expect(r).toEqual({ rowsWritten: 3, rowsRejected: 0 })
      // DuckDB writes NULL as an empty field and "" quoted: `null: ''` reads that back exactly.
      const csv = name.includes('.csv') ? { csv: { null: '' } } : {}
      const back = await read({ path: `out/${name}`, columns: { id: 'int64' }, ...csv })
      expect(back.names).toEqual(['id', 'name', 'region'])
      expect(back.rows).toEqual(rows1)
    }
    expect(gunzipSync(readFileSync(join(dir, 'out/o.csv.gz'))).toString()).toMatch(
      /^id,name,region\n/,
    )
    expect(tmpLeftovers(join(dir, 'out'))).toEqual([])
  })

  it('error_if_exists refuses an existing file and writes a new one', async () => {
    await write({ path: 'eie/x.csv', mode: 'error_if_exists' }, fromRows([batch(rows1)]))
    const err = await write(
      { path: 'eie/x.csv', mode: 'error_if_exists' },
      fromRows([batch(rows1)]),
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SluiceError)
    expect((err as SluiceError).message).toMatch(/already exists/)
    expect((await read({ path: 'eie/x.csv' })).rows.length).toBe(3)
  })

  it('a writer that throws mid-stream leaves no partial file and keeps the old one', async () => {
    await write({ path: 'atomic/x.csv' }, fromRows([batch(rows1)]))
    const before = readFileSync(join(dir, 'atomic/x.csv'), 'utf8')
    async function* broken(): AsyncGenerator<RowBatch> {
      yield await Promise.resolve(batch([[10n, 'new', 'eu']]))
      throw new Error('upstream died')
    }
    await expect(write({ path: 'atomic/x.csv' }, broken())).rejects.toThrow('upstream died')
    await expect(write({ path: 'atomic/y.parquet' }, broken())).rejects.toThrow('upstream died')
    expect(readFileSync(join(dir, 'atomic/x.csv'), 'utf8')).toBe(before)
    expect(existsSync(join(dir, 'atomic/y.parquet'))).toBe(false)
    expect(readdirSync(join(dir, 'atomic'))).toEqual(['x.csv'])
  })

  it('append: CSV and JSONL append, JSON merges, Parquet adds part files', async () => {
    for (const name of ['a.csv', 'a.jsonl', 'a.json']) {
      await write({ path: `app/${name}`, mode: 'append' }, fromRows([batch(rows1)]))
      await write({ path: `app/${name}`, mode: 'append' }, fromRows([batch([[4n, 'd', 'us']])]))
      const csv = name.endsWith('.csv') ? { csv: { null: '' } } : {}
      const back = await read({ path: `app/${name}`, columns: { id: 'int64' }, ...csv })
      expect(back.rows).toEqual([...rows1, [4n, 'd', 'us']])
    }
    expect(readFileSync(join(dir, 'app/a.csv'), 'utf8').match(/id,name/g)?.length).toBe(1)
    await write({ path: 'app/parts', format: 'parquet' }, fromRows([batch(rows1)]), 'append')
    await write(
      { path: 'app/parts', format: 'parquet' },
      fromRows([batch([[4n, 'd', 'us']])]),
      'append',
    )
    const parts = readdirSync(join(dir, 'app/parts'))
    expect(parts.length).toBe(2)
    expect(parts.every((p) => /^part-.*\.parquet$/.test(p))).toBe(true)
    const back = await read({ path: 'app/parts/*.parquet' })
    expect(back.rows.length).toBe(4)
    writeFileSync(join(dir, 'app/file.parquet'), 'x')
    await expect(
      write({ path: 'app/file.parquet', mode: 'append' }, fromRows([batch(rows1)])),
    ).rejects.toThrow(/directory/)
  })

  it('partition_by writes hive-style directories, overwrite replaces them', async () => {
    await write(
      { path: 'part/orders', format: 'parquet', partition_by: ['region'] },
      fromRows([batch(rows1)]),
    )
    expect(readdirSync(join(dir, 'part/orders')).sort()).toEqual(['region=eu', 'region=us'])
    const back = await read({ path: 'part/orders/*/*.parquet' })
    expect(back.rows.length).toBe(3)
    await write(
      { path: 'part/orders', format: 'parquet', partition_by: ['region'] },
      fromRows([batch([[9n, 'z', 'apac']])]),
    )
    expect(readdirSync(join(dir, 'part/orders'))).toEqual(['region=apac'])
    await write(
      { path: 'part/orders', format: 'parquet', partition_by: ['region'], mode: 'append' },
      fromRows([batch([[8n, 'y', 'apac']])]),
    )
    expect(readdirSync(join(dir, 'part/orders/region=apac')).length).toBe(2)
    expect(tmpLeftovers(join(dir, 'part'))).toEqual([])
  })

  it('writes an empty file with the header from the schema', async () => {
    const r = await write({ path: 'empty/e.csv' }, fromRows([]))
    expect(r.rowsWritten).toBe(0)
    expect(readFileSync(join(dir, 'empty/e.csv'), 'utf8')).toBe('id,name,region\n')
  })

  it('rejects merge mode and bad options', async () => {
    await expect(write({ path: 'm/x.csv' }, fromRows([batch(rows1)]), 'merge')).rejects.toThrow(
      /mode merge/,
    )
    expect(() => new FileDestination({ path: 'x.csv', mode: 'upsert' })).toThrow(/mode/)
    expect(() => new FileDestination({ path: 'x.unknown' })).toThrow(/format/)
  })
})
