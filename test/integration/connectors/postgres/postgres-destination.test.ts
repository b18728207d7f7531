import { describe, expect, it } from 'vitest'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import type { TableSchema } from '../../../../src/data/column-type.js'
import type { RowBatch } from '../../../../src/data/row-batch.js'
import { postgresConnector } from '../../../../src/connectors/postgres/postgres-connector.js'
import { PostgresDestination } from '../../../../src/connectors/postgres/postgres-destination.js'
import { batchesOf, useTestDatabase, writeCtx } from './pg-test-database.js'

const db = useTestDatabase()

const S: TableSchema = {
  columns: [
    { name: 'id', type: { kind: 'int32' }, nullable: false },
    { name: 'name', type: { kind: 'string' }, nullable: true },
  ],
}

async function load(
  table: string,
  rows: unknown[][],
  ctx: Partial<Parameters<typeof writeCtx>[1]> = {},
  options: Record<string, unknown> = {},
  schema: TableSchema = S,
) {
  const dest = postgresConnector.createDestination!(db.conn(), { table, ...options })
  try {
    return await dest.write(writeCtx(schema, ctx), batchesOf(schema, rows, 2))
  } finally {
    await dest.close()
  }
}

const all = (table: string) => db.sql(`SELECT * FROM ${table} ORDER BY 1`)

describe('postgres destination modes', () => {
  it('append creates the table and adds rows', async () => {
    expect(
      await load('m_append', [
        [1, 'a'],
        [2, null],
      ]),
    ).toEqual({ rowsWritten: 2, rowsRejected: 0 })
    await load('m_append', [[3, '']])
    expect(await all('m_append')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: null },
      { id: 3, name: '' },
    ])
    const cols = await db.sql(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_name = 'm_append' ORDER BY ordinal_position`,
    )
    expect(cols).toEqual([
      { column_name: 'id', data_type: 'integer', is_nullable: 'NO' },
      { column_name: 'name', data_type: 'text', is_nullable: 'YES' },
    ])
  })

  it('replace swaps the content and the schema', async () => {
    await load('m_replace', [
      [1, 'a'],
      [2, 'b'],
    ])
    const S2: TableSchema = {
      columns: [{ name: 'code', type: { kind: 'string' }, nullable: true }],
    }
    await load('m_replace', [['x']], { mode: 'replace' }, {}, S2)
    expect(await all('m_replace')).toEqual([{ code: 'x' }])
  })

  it('truncate_insert empties and refills, keeping the table', async () => {
    await load('m_trunc', [
      [1, 'a'],
      [2, 'b'],
    ])
    await db.sql('CREATE INDEX m_trunc_name ON m_trunc (name)')
    await load('m_trunc', [[5, 'e']], { mode: 'truncate_insert' })
    expect(await all('m_trunc')).toEqual([{ id: 5, name: 'e' }])
    expect(await db.sql(`SELECT 1 AS x FROM pg_indexes WHERE indexname = 'm_trunc_name'`)).toEqual([
      { x: 1 },
    ])
  })

  it('merge upserts on keys (last duplicate in the load wins) and creates a primary key', async () => {
    await load(
      'm_merge',
      [
        [1, 'a'],
        [2, 'b'],
      ],
      { mode: 'merge', keys: ['id'] },
    )
    await load(
      'm_merge',
      [
        [2, 'B'],
        [3, 'c'],
        [3, 'C'],
      ],
      { mode: 'merge', keys: ['id'] },
    )
    expect(await all('m_merge')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'B' },
      { id: 3, name: 'C' },
    ])
    const pk = await db.sql(
      `SELECT count(*)::int AS n FROM pg_index WHERE indrelid = 'm_merge'::regclass AND indisprimary`,
    )
    expect(pk).toEqual([{ n: 1 }])
  })

  it('merge without keys or without a unique index fails clearly', async () => {
    await expect(load('m_nokeys', [[1, 'a']], { mode: 'merge' })).rejects.toThrow(/needs keys/)
    await db.sql('CREATE TABLE m_noidx (id int, name text)')
    const e = await load('m_noidx', [[1, 'a']], { mode: 'merge', keys: ['id'] }).catch(
      (x: unknown) => x,
    )
    expect(e).toBeInstanceOf(SluiceError)
    expect((e as SluiceError).message).toMatch(/primary key or unique index on \(id\)/)
  })

  it('create: false refuses a missing table', async () => {
    await expect(load('m_missing', [[1, 'a']], {}, { create: false })).rejects.toThrow(
      /does not exist/,
    )
  })
})

describe('postgres destination schema evolution', () => {
  const wide: TableSchema = {
    columns: [
      { name: 'id', type: { kind: 'int64' }, nullable: false },
      { name: 'name', type: { kind: 'string' }, nullable: true },
      { name: 'price', type: { kind: 'decimal', precision: 10, scale: 2 }, nullable: true },
    ],
  }

  it('evolve adds columns and widens int4 to int8', async () => {
    await load('e_evolve', [[1, 'a']])
    await load('e_evolve', [[5_000_000_000n, 'b', '9.99']], {}, {}, wide)
    expect(await all('e_evolve')).toEqual([
      { id: '1', name: 'a', price: null },
      { id: '5000000000', name: 'b', price: '9.99' },
    ])
    const cols = await db.sql(
      `SELECT column_name, data_type FROM information_schema.columns
        WHERE table_name = 'e_evolve' ORDER BY ordinal_position`,
    )
    expect(cols.map((c) => c.data_type)).toEqual(['bigint', 'text', 'numeric'])
  })

  it('freeze fails with a readable diff and changes nothing', async () => {
    await load('e_freeze', [[1, 'a']])
    const e = await load('e_freeze', [[2, 'b', '1.00']], {}, { schema_evolution: 'freeze' }, wide)
      .then(() => undefined)
      .catch((x: unknown) => x)
    expect(e).toBeInstanceOf(SluiceError)
    const err = e as SluiceError
    expect(err.code).toBe('E_SCHEMA_DRIFT')
    expect(err.retryable).toBe(false)
    expect(err.message).toContain('~ id: table has integer, data is int64')
    expect(err.message).toContain('+ price decimal(10,2): column not in the table')
    expect(await all('e_freeze')).toEqual([{ id: 1, name: 'a' }])
    // a matching load still works under freeze
    await load('e_freeze', [[2, 'b']], {}, { schema_evolution: 'freeze' })
    expect((await all('e_freeze')).length).toBe(2)
  })

  it('incompatible types are drift even under evolve', async () => {
    await db.sql('CREATE TABLE e_incompat (id int, name int)')
    await expect(load('e_incompat', [[1, 'x']])).rejects.toMatchObject({
      code: 'E_SCHEMA_DRIFT',
    })
  })

  it('discard_columns leaves new columns out', async () => {
    await load('e_discard', [[1, 'a']])
    await load(
      'e_discard',
      [[2, 'b', '1.50']],
      {},
      { schema_evolution: 'discard_columns' },
      {
        columns: [...S.columns, wide.columns[2]!],
      },
    )
    expect(await all('e_discard')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ])
  })
})

describe('postgres destination atomicity', () => {
  const wm = (value: unknown) => ({ pipeline: 'p1', key: 'orders', value })

  it('commits rows and the watermark together and reads the watermark back', async () => {
    await load('a_ok', [[1, 'a']], { watermark: wm({ value: '10', key: ['1'] }) })
    const dest = new PostgresDestination(db.conn(), { table: 'a_ok' })
    expect(await dest.readWatermark({ pipeline: 'p1', key: 'orders' })).toEqual({
      value: '10',
      key: ['1'],
    })
    expect(await dest.readWatermark({ pipeline: 'p1', key: 'nope' })).toBeUndefined()
    await dest.close()
  })

  it('a load that fails mid-stream leaves the table and _sluice_state unchanged', async () => {
    await load('a_fail', [[1, 'a']], { mode: 'merge', keys: ['id'], watermark: wm('w1') })
    const before = await db.sql(`SELECT value, updated_at FROM _sluice_state WHERE key = 'orders'`)
    async function* failing(): AsyncIterable<RowBatch> {
      await Promise.resolve()
      yield { schema: S, rows: [[2, 'b']] }
      yield { schema: S, rows: [[3, 'c']] }
      throw new Error('upstream exploded')
    }
    for (const mode of ['append', 'replace', 'truncate_insert', 'merge'] as const) {
      const dest = new PostgresDestination(db.conn(), { table: 'a_fail' })
      await expect(
        dest.write(writeCtx(S, { mode, keys: ['id'], watermark: wm('w2') }), failing()),
      ).rejects.toThrow(/upstream exploded/)
      await dest.close()
    }
    expect(await all('a_fail')).toEqual([{ id: 1, name: 'a' }])
    expect(
      await db.sql(`SELECT value, updated_at FROM _sluice_state WHERE key = 'orders'`),
    ).toEqual(before)
    expect(before[0]!.value).toBe('w1')
  })

  it('a failure after COPY (bad row for the table) rolls back too', async () => {
    await load('a_late', [[1, 'a']], { watermark: wm('x1') })
    await db.sql('ALTER TABLE a_late ADD CONSTRAINT short_name CHECK (length(name) < 5)')
    await expect(
      load(
        'a_late',
        [
          [2, 'ok'],
          [3, 'too long'],
        ],
        { watermark: wm('x2') },
      ),
    ).rejects.toMatchObject({ code: 'E_TASK_FAILED', retryable: false })
    expect(await all('a_late')).toEqual([{ id: 1, name: 'a' }])
    expect(await db.sql(`SELECT value FROM _sluice_state WHERE key = 'orders'`)).toEqual([
      { value: 'x1' },
    ])
  })

  it('an abort during COPY cancels it and rolls back', async () => {
    await load('a_abort', [[1, 'a']])
    const ac = new AbortController()
    async function* slow(): AsyncIterable<RowBatch> {
      yield { schema: S, rows: [[2, 'b']] }
      ac.abort()
      await new Promise((r) => setTimeout(r, 50))
      yield { schema: S, rows: [[3, 'c']] }
    }
    const dest = new PostgresDestination(db.conn(), { table: 'a_abort' })
    await expect(dest.write({ ...writeCtx(S), signal: ac.signal }, slow())).rejects.toMatchObject({
      code: 'E_CANCELLED',
    })
    await dest.close()
    expect(await all('a_abort')).toEqual([{ id: 1, name: 'a' }])
  })
})

describe('postgres identifiers', () => {
  it('quotes schemas, tables and columns with quotes, spaces and capitals', async () => {
    await db.sql(`CREATE SCHEMA "My ""Schema"""`)
    const evil: TableSchema = {
      columns: [
        { name: 'Id', type: { kind: 'int32' }, nullable: false },
        { name: 'col "x"; DROP TABLE m_append; --', type: { kind: 'string' }, nullable: true },
        { name: 'with space', type: { kind: 'string' }, nullable: true },
      ],
    }
    const table = `"My ""Schema"""."Order Lines; DROP TABLE m_append"`
    await load(table, [[1, 'a', 'b']], { mode: 'merge', keys: ['Id'] }, {}, evil)
    await load(
      table,
      [
        [1, 'A', 'B'],
        [2, 'c', null],
      ],
      { mode: 'merge', keys: ['Id'] },
      {},
      evil,
    )
    expect(await db.sql(`SELECT * FROM ${table} ORDER BY 1`)).toEqual([
      { Id: 1, 'col "x"; DROP TABLE m_append; --': 'A', 'with space': 'B' },
      { Id: 2, 'col "x"; DROP TABLE m_append; --': 'c', 'with space': null },
    ])
    expect(await db.sql(`SELECT to_regclass('m_append') IS NOT NULL AS ok`)).toEqual([{ ok: true }])
  })

  it('connection errors are retryable E_NETWORK and never show the password', async () => {
    const dest = postgresConnector.createDestination!(
      { name: 'bad', url: 'postgres://postgres:s3cr3t-pw@127.0.0.1:1/x', options: {} },
      { table: 't' },
    )
    const e = (await dest
      .write(writeCtx(S), batchesOf(S, [[1, 'a']]))
      .catch((x: unknown) => x)) as SluiceError
    await dest.close()
    expect(e).toBeInstanceOf(SluiceError)
    expect(e.code).toBe('E_NETWORK')
    expect(e.retryable).toBe(true)
    expect(e.message).not.toContain('s3cr3t-pw')
  })

  it('describes itself as a connector', () => {
    expect(postgresConnector.name).toBe('postgres')
    expect(postgresConnector.schemes).toEqual(['postgres', 'postgresql'])
    expect(postgresConnector.capabilities).toMatchObject({
      bulk: 'copy',
      merge: true,
      transactions: true,
      incremental: true,
    })
    expect(postgresConnector.sourceOptions!.safeParse({ table: 't', query: 'q' }).success).toBe(
      false,
    )
    expect(
      postgresConnector.destinationOptions!.safeParse({ table: 't', mode: 'merge', keys: ['id'] })
        .success,
    ).toBe(true)
  })
})
