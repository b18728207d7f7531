import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import type { TableSchema } from '../../../../src/data/column-type.js'
import type { WriteContext } from '../../../../src/data/connector-contract.js'
import { postgresConnector } from '../../../../src/connectors/postgres/postgres-connector.js'
import { batchesOf, useTestDatabase, writeCtx } from './pg-test-database.js'

const db = useTestDatabase()

const S: TableSchema = {
  columns: [
    { name: 'id', type: { kind: 'int64' }, nullable: false },
    { name: 'qty', type: { kind: 'int32' }, nullable: true },
    { name: 'note', type: { kind: 'string' }, nullable: true },
  ],
}

/** A table whose constraints refuse some rows: qty NOT NULL and >= 0, note at most 5 chars. */
async function strictTable(name: string): Promise<void> {
  await db.sql(
    `CREATE TABLE ${name} (id bigint PRIMARY KEY, qty integer NOT NULL CHECK (qty >= 0),
       note varchar(5))`,
  )
}

async function load(
  table: string,
  rows: unknown[][],
  extra: Partial<Omit<WriteContext, 'schema' | 'log'>> = {},
) {
  const dest = postgresConnector.createDestination!(db.conn(), { table })
  try {
    return await dest.write(writeCtx(S, extra), batchesOf(S, rows, 3))
  } finally {
    await dest.close()
  }
}

function rows(n: number, bad: Map<number, unknown[]>): unknown[][] {
  return Array.from({ length: n }, (_, i) => bad.get(i + 1) ?? [BigInt(i + 1), i, 'ok'])
}

describe('postgres destination: refused rows set aside', () => {
  it('loads the good rows and returns each refused one with its row number and reason', async () => {
    await strictTable('r_basic')
    const bad = new Map<number, unknown[]>([
      [4, [4n, null, 'null']], // NOT NULL
      [9, [9n, -1, 'neg']], // CHECK
      [10, [10n, 1, 'too long']], // varchar(5)
    ])
    const result = await load('r_basic', rows(12, bad), { rejects: { max: 10 } })
    expect(result.rowsWritten).toBe(9)
    expect(result.rowsRejected).toBe(3)
    expect(result.rejected?.map((r) => r.line)).toEqual([4, 9, 10])
    expect(result.rejected?.[0]?.reason).toMatch(/null value in column "qty"/)
    expect(result.rejected?.[1]?.reason).toMatch(/check constraint/)
    expect(result.rejected?.[2]?.reason).toMatch(/too long/)
    expect(JSON.parse(result.rejected![0]!.raw)).toEqual({ id: 4, qty: null, note: 'null' })
    expect(result.rejected?.[0]?.file).toBe('r_basic')
    const ids = await db.sql<{ id: string }>('SELECT id FROM r_basic ORDER BY id')
    expect(ids.map((r) => Number(r.id))).toEqual([1, 2, 3, 5, 6, 7, 8, 11, 12])
  })

  it('without rejects, one refused row fails the load and nothing is written', async () => {
    await strictTable('r_fail')
    const err = await load('r_fail', rows(5, new Map([[3, [3n, null, 'x']]]))).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(SluiceError)
    expect((err as SluiceError).message).toMatch(/null value in column "qty"/)
    expect(await db.sql('SELECT count(*)::int AS n FROM r_fail')).toEqual([{ n: 0 }])
  })

  it('more refused rows than max fails with E_ROWS_REJECTED and rolls everything back', async () => {
    await strictTable('r_max')
    const bad = new Map<number, unknown[]>([
      [2, [2n, null, 'a']],
      [5, [5n, null, 'b']],
      [7, [7n, null, 'c']],
    ])
    const err = await load('r_max', rows(8, bad), { rejects: { max: 2 } }).catch((e: unknown) => e)
    expect((err as SluiceError).code).toBe('E_ROWS_REJECTED')
    expect((err as SluiceError).message).toMatch(/more than max_bad_rows \(2\)/)
    expect(await db.sql('SELECT count(*)::int AS n FROM r_max')).toEqual([{ n: 0 }])
  })

  it('duplicate keys against rows already in the table are refused one by one (append)', async () => {
    await strictTable('r_dup')
    await db.sql(`INSERT INTO r_dup VALUES (2, 0, 'old'), (6, 0, 'old')`)
    const result = await load('r_dup', rows(7, new Map()), { rejects: { max: 10 } })
    expect(result.rejected?.map((r) => [r.line, /duplicate key/.test(r.reason)])).toEqual([
      [2, true],
      [6, true],
    ])
    expect(result.rowsWritten).toBe(5)
    expect(await db.sql(`SELECT note FROM r_dup WHERE id IN (2, 6) ORDER BY id`)).toEqual([
      { note: 'old' },
      { note: 'old' },
    ])
  })

  it('merge keeps the last good row per key and sets aside the refused ones', async () => {
    await strictTable('r_merge')
    await db.sql(`INSERT INTO r_merge VALUES (1, 0, 'old')`)
    const result = await load(
      'r_merge',
      [
        [1n, 5, 'new'],
        [2n, -3, 'bad'],
        [3n, 1, 'three'],
        [3n, 2, 'last'],
      ],
      { mode: 'merge', keys: ['id'], rejects: { max: 10 } },
    )
    expect(result.rejected?.map((r) => r.line)).toEqual([2])
    expect(await db.sql('SELECT id::int, qty, note FROM r_merge ORDER BY id')).toEqual([
      { id: 1, qty: 5, note: 'new' },
      { id: 3, qty: 2, note: 'last' },
    ])
  })

  it('the CSV fast path sets refused rows aside too, and commits the watermark with the rest', async () => {
    await strictTable('r_csv')
    const dest = postgresConnector.createDestination!(db.conn(), { table: 'r_csv' })
    try {
      const csv = 'id,qty,note\n1,1,a\n2,,b\n3,3,c\n4,-4,d\n5,5,e\n'
      const result = await dest.writeCsv!(
        writeCtx(S, {
          rejects: { max: 5 },
          watermark: { pipeline: 'p', key: 'k', value: '2026-01-01' },
        }),
        Readable.from([csv]),
      )
      expect(result.rowsWritten).toBe(3)
      expect(result.rejected?.map((r) => r.line)).toEqual([2, 4])
      expect(await dest.readWatermark({ pipeline: 'p', key: 'k' })).toBe('2026-01-01')
    } finally {
      await dest.close()
    }
    expect(await db.sql('SELECT id::int FROM r_csv ORDER BY id')).toEqual([
      { id: 1 },
      { id: 3 },
      { id: 5 },
    ])
  })

  it('finds 20 scattered bad rows among 20,000 by bisection', async () => {
    await strictTable('r_many')
    const bad = new Map<number, unknown[]>()
    for (let i = 0; i < 20; i++) {
      const row = 7 + i * 997
      bad.set(row, [BigInt(row), null, 'bad'])
    }
    const result = await load('r_many', rows(20_000, bad), { rejects: { max: 100 } })
    expect(result.rowsWritten).toBe(19_980)
    expect(result.rejected?.map((r) => r.line)).toEqual([...bad.keys()])
    expect(await db.sql('SELECT count(*)::int AS n FROM r_many')).toEqual([{ n: 19_980 }])
  })
})

describe('postgres destination: lengths', () => {
  it('never cuts a value that is too long for a varchar(n) or char(n) column', async () => {
    await db.sql(`CREATE TABLE r_len (id bigint, qty integer, note char(3))`)
    const err = await load('r_len', [[1n, 1, 'abcd']], { mode: 'truncate_insert' }).catch(
      (e: unknown) => e,
    )
    expect((err as SluiceError).message).toMatch(/too long/)
    await load('r_len', [[1n, 1, 'ab']], { mode: 'truncate_insert' })
    expect(await db.sql('SELECT note FROM r_len')).toEqual([{ note: 'ab ' }])
  })
})
