import { describe, expect, it } from 'vitest'
import type { WriteMode } from '../../../../src/data/connector-contract.js'
import { PostgresDestination } from '../../../../src/connectors/postgres/postgres-destination.js'
import { PostgresSource } from '../../../../src/connectors/postgres/postgres-source.js'
import { readCtx, useTestDatabase, writeCtx } from './pg-test-database.js'

const db = useTestDatabase()

/** One pipeline run: read the committed watermark, extract past it, load + commit both. */
async function runOnce(
  source: Record<string, unknown>,
  table: string,
  mode: WriteMode,
  key: string,
): Promise<{ read: number; watermark: unknown }> {
  const dest = new PostgresDestination(db.conn(), { table })
  const ref = { pipeline: 'inc', key }
  const since = await dest.readWatermark(ref)
  const src = new PostgresSource(db.conn(), source)
  const ctx = readCtx(since, 2)
  const schema = await src.schema(ctx)
  let read = 0
  async function* counted() {
    for await (const b of src.read(ctx)) {
      read += b.rows.length
      yield b
    }
  }
  // the watermark's value is read by the destination after the last batch (streaming path)
  const watermark = {
    ...ref,
    get value() {
      return src.watermark()
    },
  }
  await dest.write(writeCtx(schema, { mode, keys: ['id'], watermark }), counted())
  await Promise.all([dest.close(), src.close()])
  return { read, watermark: src.watermark() }
}

const same = async (a: string, b: string) => {
  const diff = await db.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM ((TABLE ${a} EXCEPT ALL TABLE ${b}) UNION ALL (TABLE ${b} EXCEPT ALL TABLE ${a})) x`,
  )
  const counts = await db.sql(
    `SELECT (SELECT count(*) FROM ${a})::int AS a, (SELECT count(*) FROM ${b})::int AS b`,
  )
  return { diff: diff[0]!.n, counts: counts[0] }
}

describe('postgres incremental extract', () => {
  it('without lookback: (column, key) > watermark loses no equal-timestamp row and duplicates none', async () => {
    await db.sql(`CREATE TABLE ev (id int PRIMARY KEY, updated_at timestamptz NOT NULL, v text)`)
    await db.sql(`INSERT INTO ev VALUES
      (1, '2024-01-01 10:00:00.000001Z', 'a'), (2, '2024-01-01 10:00:00.000001Z', 'b'),
      (3, '2024-01-01 10:00:00.000001Z', 'c'), (4, '2024-01-01 09:00:00Z', 'd')`)
    const opts = { table: 'ev', incremental: { column: 'updated_at' } }
    const r1 = await runOnce(opts, 'ev_copy', 'append', 'ev')
    expect(r1).toEqual({ read: 4, watermark: { value: '2024-01-01T10:00:00.000001Z', key: ['3'] } })

    // same timestamp as the watermark, higher key; and a newer row
    await db.sql(`INSERT INTO ev VALUES (7, '2024-01-01 10:00:00.000001Z', 'g'),
      (5, '2024-01-01 11:00:00Z', 'e')`)
    const r2 = await runOnce(opts, 'ev_copy', 'append', 'ev')
    expect(r2).toEqual({ read: 2, watermark: { value: '2024-01-01T11:00:00Z', key: ['5'] } })

    const r3 = await runOnce(opts, 'ev_copy', 'append', 'ev')
    expect(r3).toEqual({ read: 0, watermark: { value: '2024-01-01T11:00:00Z', key: ['5'] } })
    await db.sql(
      `INSERT INTO ev VALUES (6, '2024-01-01 11:00:00Z', 'f'), (8, '2024-01-02 00:00:00Z', 'h')`,
    )
    const r4 = await runOnce(opts, 'ev_copy', 'append', 'ev')
    expect(r4.read).toBe(2)
    expect(await same('ev', 'ev_copy')).toEqual({ diff: 0, counts: { a: 8, b: 8 } })
    expect(
      await db.sql(`SELECT value FROM _sluice_state WHERE pipeline = 'inc' AND key = 'ev'`),
    ).toEqual([{ value: { value: '2024-01-02T00:00:00Z', key: ['8'] } }])
  })

  it('with lookback: late rows inside the window are caught; merge absorbs the re-reads', async () => {
    await db.sql(`CREATE TABLE lb (id int PRIMARY KEY, updated_at timestamp NOT NULL, v text)`)
    await db.sql(`INSERT INTO lb VALUES
      (10, '2024-03-01 12:00:00', 'a'), (11, '2024-03-01 12:00:00', 'b'),
      (12, '2024-03-01 11:00:00', 'c')`)
    const opts = { table: 'lb', incremental: { column: 'updated_at', lookback: '5m' } }
    // run 1: everything
    const r1 = await runOnce(opts, 'lb_copy', 'merge', 'lb')
    expect(r1).toEqual({ read: 3, watermark: { value: '2024-03-01T12:00:00', key: ['11'] } })

    // between runs: a late row 2 minutes before the watermark with a lower key, an update, a new row
    await db.sql(`INSERT INTO lb VALUES (1, '2024-03-01 11:58:00', 'late'),
      (13, '2024-03-01 12:10:00.5', 'new')`)
    await db.sql(`UPDATE lb SET v = 'A2', updated_at = '2024-03-01 12:05:00' WHERE id = 10`)
    const r2 = await runOnce(opts, 'lb_copy', 'merge', 'lb')
    // window starts at 11:55: re-reads 11 (12:00) and picks up 1, 10, 13
    expect(r2).toEqual({ read: 4, watermark: { value: '2024-03-01T12:10:00.500000', key: ['13'] } })

    // run 3: a row with exactly the watermark's timestamp and a lower key, and one just inside
    await db.sql(`INSERT INTO lb VALUES (2, '2024-03-01 12:10:00.5', 'tie'),
      (3, '2024-03-01 12:06:00', 'late2')`)
    const r3 = await runOnce(opts, 'lb_copy', 'merge', 'lb')
    expect(r3.read).toBe(3) // window from 12:05:00.5: 13 again, 2 and 3
    expect(await same('lb', 'lb_copy')).toEqual({ diff: 0, counts: { a: 7, b: 7 } })
  })

  it('reads a query with keys: and an initial watermark', async () => {
    await db.sql(`CREATE TABLE q (id bigint, at date, v text)`)
    await db.sql(`INSERT INTO q VALUES (1, '2024-01-01', 'old'), (2, '2024-02-01', 'a'),
      (3, '2024-02-01', 'b'), (9223372036854775807, '2024-03-01', 'max')`)
    const src = new PostgresSource(db.conn(), {
      query: 'select id, at, v from q',
      keys: ['id'],
      incremental: { column: 'at', initial: '2024-02-01' },
    })
    const rows: unknown[][] = []
    for await (const b of src.read(readCtx())) rows.push(...(b.rows as unknown[][]))
    expect(rows.map((r) => r[0])).toEqual([2n, 3n, 9223372036854775807n])
    expect(src.watermark()).toEqual({ value: '2024-03-01', key: ['9223372036854775807'] })
    await src.close()
    const again = new PostgresSource(db.conn(), {
      query: 'select id, at, v from q',
      keys: ['id'],
      incremental: { column: 'at' },
    })
    const none: unknown[] = []
    for await (const b of again.read(readCtx(src.watermark()))) none.push(...b.rows)
    expect(none).toEqual([])
    expect(again.watermark()).toEqual(src.watermark())
    await again.close()
  })
})
