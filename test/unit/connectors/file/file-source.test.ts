import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileConnector } from '../../../../src/connectors/file/file-connector.js'
import { FileDestination } from '../../../../src/connectors/file/file-destination.js'
import { fileFormat } from '../../../../src/connectors/file/file-format.js'
import { FileSource } from '../../../../src/connectors/file/file-source.js'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import { DatasetStore } from '../../../../src/data/datasets/dataset-store.js'
import { DuckDBEngine } from '../../../../src/data/duckdb/duckdb-engine.js'
import { quoteLiteral } from '../../../../src/data/duckdb/quote-literal.js'
import { collect, readCtx } from './file-test-helpers.js'

let engine: DuckDBEngine
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-file-src-'))
  engine = await DuckDBEngine.open({ memoryLimit: '256MB', workspaceDir: dir })
})
afterAll(async () => {
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
})

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name)
  writeFileSync(p, content)
  return p
}

async function read(options: Record<string, unknown>, logs: string[] = []) {
  const src = new FileSource(options, { engine, baseDir: dir })
  try {
    return { ...(await collect(src.read(readCtx(logs)))), rejects: src.rejects(), src }
  } finally {
    await src.close()
  }
}

describe('fileFormat', () => {
  it('infers format and compression from the extension', () => {
    expect(fileFormat('a/b.csv.gz')).toEqual({ format: 'csv', compression: 'gzip', tab: false })
    expect(fileFormat('x.jsonl.zst')).toEqual({ format: 'jsonl', compression: 'zstd', tab: false })
    expect(fileFormat('x.tsv').tab).toBe(true)
    expect(fileFormat('data/*.parquet').format).toBe('parquet')
    expect(fileFormat('data/dir').format).toBeUndefined()
  })
})

describe('FileSource: CSV', () => {
  it('keeps "" as "" and reads NULL only for a null token, with a UTF-8 BOM', async () => {
    file('nulls.csv', '\ufeffid,name,note\n1,,NULL\n2,"",x\n,a,\n')
    const plain = await read({ path: 'nulls.csv' })
    expect(plain.names).toEqual(['id', 'name', 'note'])
    expect(plain.rows).toEqual([
      [1n, '', 'NULL'],
      [2n, '', 'x'],
      [null, 'a', ''],
    ])
    const token = await read({ path: 'nulls.csv', csv: { null: 'NULL' } })
    expect(token.rows).toEqual([
      [1n, '', null],
      [2n, '', 'x'],
      [null, 'a', ''],
    ])
    const empty = await read({ path: 'nulls.csv', csv: { null: '' } })
    expect(empty.rows[0]).toEqual([1n, null, 'NULL'])
  })

  it('honours delimiter, quote, escape, skip, header and encoding', async () => {
    file('semi.csv', "junk line\nanother\na;b\n1;'x;y'\n2;'it\\'s'\n")
    const r = await read({
      path: 'semi.csv',
      csv: { delimiter: ';', quote: "'", escape: '\\', skip: 2 },
    })
    expect(r.rows).toEqual([
      [1n, 'x;y'],
      [2n, "it's"],
    ])
    file('nohead.csv', 'a,b\nc,d\n')
    const nh = await read({ path: 'nohead.csv', csv: { header: false } })
    expect(nh.rows).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ])
    file('latin.csv', Buffer.from('name\ncaf\xe9\n', 'latin1'))
    const l1 = await read({ path: 'latin.csv', csv: { encoding: 'latin-1' } })
    expect(l1.rows).toEqual([['café']])
  })

  it('reads gzip and zstd input, by extension or by `compression:`', async () => {
    file('g.csv.gz', gzipSync('a,b\n1,x\n2,y\n'))
    expect((await read({ path: 'g.csv.gz' })).rows).toEqual([
      [1n, 'x'],
      [2n, 'y'],
    ])
    const zst = join(dir, 'z.csv.zst')
    await engine.run(
      `COPY (SELECT range AS a, 'v' || range AS b FROM range(3)) TO ${quoteLiteral(zst)} (FORMAT csv, COMPRESSION zstd)`,
    )
    expect((await read({ path: 'z.csv.zst' })).rows).toEqual([
      [0n, 'v0'],
      [1n, 'v1'],
      [2n, 'v2'],
    ])
    file('noext.data', gzipSync('a\n5\n'))
    expect((await read({ path: 'noext.data', format: 'csv', compression: 'gzip' })).rows).toEqual([
      [5n],
    ])
  })

  it('reads a glob over 3 files, with the file name when asked', async () => {
    mkdirSync(join(dir, 'many'))
    for (const i of [1, 2, 3]) file(`many/part${i}.csv`, `id,v\n${i},a${i}\n${i * 10},b${i}\n`)
    const r = await read({ path: 'many/*.csv', filename: 'source_file' })
    expect(r.names).toEqual(['id', 'v', 'source_file'])
    expect(r.rows.length).toBe(6)
    expect(r.rows.map((x) => x[0]).sort((a, b) => Number(a) - Number(b))).toEqual([
      1n,
      2n,
      3n,
      10n,
      20n,
      30n,
    ])
    expect(new Set(r.rows.map((x) => String(x[2]).split('/').pop()))).toEqual(
      new Set(['part1.csv', 'part2.csv', 'part3.csv']),
    )
    const list = await read({ path: ['many/part1.csv', 'many/part3.csv'] })
    expect(list.rows.length).toBe(4)
  })

  it('fails with a clear error when no file matches', async () => {
    const err = await read({ path: 'nope/*.csv' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SluiceError)
    expect((err as SluiceError).message).toMatch(/nope/)
  })
})

describe('FileSource: bad rows', () => {
  const bad = 'id,name\n1,a\n2,b,extra\nx,c\n4,d\n'
  const columns = { id: 'int64', name: 'string' }

  it('on_error: fail (default) names the file and line', async () => {
    const p = file('bad.csv', bad)
    const err = await read({ path: 'bad.csv', columns }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SluiceError)
    const e = err as SluiceError
    expect(e.message).toContain(`${p}:3`)
    expect(e.message).toMatch(/Expected Number of Columns: 2 Found: 3/)
    expect(e.row).toBe(3)
    expect(e.retryable).toBe(false)
  })

  it('on_error: skip loads the good rows', async () => {
    file('bad.csv', bad)
    const logs: string[] = []
    const r = await read({ path: 'bad.csv', columns, on_error: 'skip' }, logs)
    expect(r.rows).toEqual([
      [1n, 'a'],
      [4n, 'd'],
    ])
    expect(logs.join('\n')).toMatch(/skipped 2 bad rows/)
  })

  it('on_error: quarantine reports file, line, reason and raw text', async () => {
    const p = file('bad.csv', bad)
    const r = await read({ path: 'bad.csv', columns, on_error: 'quarantine', max_bad_rows: 5 })
    expect(r.rows).toEqual([
      [1n, 'a'],
      [4n, 'd'],
    ])
    expect(r.rejects).toEqual([
      {
        file: p,
        line: 3,
        reason: 'Expected Number of Columns: 2 Found: 3',
        raw: '2,b,extra',
      },
      {
        file: p,
        line: 4,
        reason: expect.stringMatching(/Could not convert string "x" to 'BIGINT'/),
        raw: 'x,c',
      },
    ])
  })

  it('fails past max_bad_rows', async () => {
    file('bad.csv', bad)
    await expect(
      read({ path: 'bad.csv', columns, on_error: 'quarantine', max_bad_rows: 1 }),
    ).rejects.toThrow(/2 bad rows, more than max_bad_rows 1/)
  })
})

describe('FileSource: JSON, JSONL, Parquet', () => {
  it('reads a JSON array, JSONL and Parquet, format from the extension', async () => {
    file(
      'a.json',
      '[{"id": 1, "tags": ["x"], "o": {"k": 2}}, {"id": 9007199254740993, "tags": [], "o": null}]',
    )
    const j = await read({ path: 'a.json' })
    expect(j.names).toEqual(['id', 'tags', 'o'])
    expect(j.rows).toEqual([
      [1n, '["x"]', '{"k":2}'],
      [9007199254740993n, '[]', null],
    ])
    file('a.jsonl', '{"id": 1, "s": "a"}\n{"id": 2, "s": ""}\n')
    const l = await read({ path: 'a.jsonl', columns: { id: 'int32' } })
    expect(l.src.options.format).toBeUndefined()
    expect(l.rows).toEqual([
      [1, 'a'],
      [2, ''],
    ])
    const pq = join(dir, 'a.parquet')
    await engine.run(
      `COPY (SELECT 1::BIGINT AS id, 'z' AS s) TO ${quoteLiteral(pq)} (FORMAT parquet)`,
    )
    expect((await read({ path: 'a.parquet' })).rows).toEqual([[1n, 'z']])
  })

  it('skips malformed JSONL lines with on_error: skip, fails otherwise', async () => {
    file('bad.jsonl', '{"id": 1}\n{"id": 2,,}\n{"id": 3}\n')
    await expect(read({ path: 'bad.jsonl' })).rejects.toThrow(/bad\.jsonl/)
    const r = await read({ path: 'bad.jsonl', on_error: 'skip' })
    // (DuckDB's read_json(ignore_errors) alone would yield the malformed line as an all-NULL row)
    expect(r.rows).toEqual([[1n], [3n]])
  })

  it('quarantines malformed and non-object JSONL lines with file, line and reason (plain and gzip)', async () => {
    const text = '{"id": 1}\n{"id": 2,,}\n\n{"id": null}\n[1, 2]\n{"id": 5}\n"x"\n'
    const p = file('q.jsonl', text)
    const g = file('q2.jsonl.gz', gzipSync('{"id": 7}\nnot json\n'))
    const r = await read({
      path: ['q.jsonl', 'q*.jsonl.gz'],
      on_error: 'quarantine',
      max_bad_rows: 10,
    })
    expect(r.rows).toEqual([[1n], [null], [5n], [7n]])
    expect(r.rejects.map((x) => [x.file, x.line, x.raw])).toEqual([
      [p, 2, '{"id": 2,,}'],
      [p, 5, '[1, 2]'],
      [p, 7, '"x"'],
      [g, 2, 'not json'],
    ])
    expect(r.rejects[0]!.reason).toMatch(/^malformed JSON/)
    expect(r.rejects[1]!.reason).toBe('not a JSON object (an array)')
    await expect(
      read({ path: ['q.jsonl', 'q*.jsonl.gz'], on_error: 'quarantine', max_bad_rows: 3 }),
    ).rejects.toThrow(/4 bad rows, more than max_bad_rows 3/)
  })
})

describe('type round trip: CSV → dataset → Parquet → read', () => {
  it('keeps int64 beyond 2^53, decimal(38,9), unicode, "" vs NULL, microsecond timestamps', async () => {
    file(
      'types.csv',
      [
        'id,amount,name,note,at,at_tz,day',
        '9223372036854775807,12345678901234567890123456789.123456789,Zürich 🎉 東京,"",2024-01-02 03:04:05.123456,2024-01-02T03:04:05.000001Z,2024-02-29',
        '-9007199254740993,-0.000000001,"a ""quoted"", comma",NULL,1969-12-31 23:59:59.999999,2024-06-30 22:00:00+02,1900-01-01',
      ].join('\n') + '\n',
    )
    const src = new FileSource(
      {
        path: 'types.csv',
        columns: { amount: 'decimal', at_tz: 'timestamptz' },
        csv: { null: 'NULL' },
      },
      { engine, baseDir: dir },
    )
    const schema = await src.schema()
    expect(schema.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', { kind: 'int64' }],
      ['amount', { kind: 'decimal', precision: 38, scale: 9 }],
      ['name', { kind: 'string' }],
      ['note', { kind: 'string' }],
      ['at', { kind: 'timestamp' }],
      ['at_tz', { kind: 'timestamptz' }],
      ['day', { kind: 'date' }],
    ])
    const store = new DatasetStore(join(dir, 'datasets'), engine)
    const info = await store.write('r1', 'extract', src.read(readCtx()))
    expect(info.rowCount).toBe(2)
    const out = join(dir, 'out', 'types.parquet')
    const dest = new FileDestination({ path: out }, { engine })
    const w = await dest.write(
      { signal: new AbortController().signal, schema: info.schema, mode: 'replace', log: () => {} },
      store.read('r1', 'extract'),
    )
    expect(w.rowsWritten).toBe(2)
    const back = await read({ path: out })
    const expected = [
      [
        9223372036854775807n,
        '12345678901234567890123456789.123456789',
        'Zürich 🎉 東京',
        '',
        '2024-01-02T03:04:05.123456',
        '2024-01-02T03:04:05.000001Z',
        '2024-02-29',
      ],
      [
        -9007199254740993n,
        '-0.000000001',
        'a "quoted", comma',
        null,
        '1969-12-31T23:59:59.999999',
        '2024-06-30T20:00:00Z',
        '1900-01-01',
      ],
    ]
    expect(back.rows).toEqual(expected)
    expect(back.names).toEqual(schema.columns.map((c) => c.name))
  })
})

describe('fast path', () => {
  it('writes a dataset straight from the source query, without a JS row loop', async () => {
    file('fast.csv', 'id,name\n1,\n2,b\n')
    const src = new FileSource({ path: 'fast.csv' }, { engine, baseDir: dir })
    const store = new DatasetStore(join(dir, 'datasets'), engine)
    const info = await store.writeQuery('r2', 'fast', await src.sql())
    expect(info.rowCount).toBe(2)
    expect((await collect(store.read('r2', 'fast'))).rows).toEqual([
      [1n, ''],
      [2n, 'b'],
    ])
    await src.close()
  })
})

describe('fileConnector', () => {
  it('describes itself and builds sources and destinations', async () => {
    expect(fileConnector.name).toBe('file')
    expect(fileConnector.schemes).toEqual(['file'])
    expect(fileConnector.capabilities.bulk).toBe('file')
    expect(fileConnector.sourceOptions!.safeParse({ path: 'x.csv', bogus: 1 }).success).toBe(true)
    expect(fileConnector.sourceOptions!.safeParse({}).success).toBe(false)
    file('conn.csv', 'a\n1\n')
    const src = fileConnector.createSource!(
      { name: 'files', url: `file://${dir}`, options: { memory_limit: '200MB' } },
      { path: 'conn.csv' },
    )
    expect((await collect(src.read(readCtx()))).rows).toEqual([[1n]])
    await src.close()
    expect(() =>
      fileConnector.createSource!({ name: 'f', url: 'file:', options: {} }, { path: 'x.xyz' }),
    ).toThrow(/format/)
  })
})

describe('cancellation', () => {
  it('stops reading when the signal aborts', async () => {
    const big = join(dir, 'cancel.csv')
    await engine.run(
      `COPY (SELECT range AS id FROM range(200000)) TO ${quoteLiteral(big)} (FORMAT csv)`,
    )
    const src = new FileSource({ path: big }, { engine })
    const ac = new AbortController()
    let seen = 0
    const run = async () => {
      for await (const b of src.read({ signal: ac.signal, batchRows: 1000, log: () => {} })) {
        seen += b.rows.length
        if (seen >= 3000) ac.abort(new Error('cancelled by test'))
      }
    }
    await expect(run()).rejects.toThrow('cancelled by test')
    expect(seen).toBe(3000)
    await src.close()
  })
})
