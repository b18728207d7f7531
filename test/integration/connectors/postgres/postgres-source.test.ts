import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import type { TableSchema } from '../../../../src/data/column-type.js'
import { PostgresDestination } from '../../../../src/connectors/postgres/postgres-destination.js'
import { PostgresSource } from '../../../../src/connectors/postgres/postgres-source.js'
import { postgresTypeParsers } from '../../../../src/connectors/postgres/postgres-type-parsers.js'
import { postgresTypes } from '../../../../src/connectors/postgres/postgres-types.js'
import { splitQualifiedName } from '../../../../src/data/sql/split-qualified-name.js'
import { batchesOf, collect, readCtx, useTestDatabase, writeCtx } from './pg-test-database.js'

const db = useTestDatabase()

describe('postgres source', () => {
  it('streams in batches of batchRows through a cursor', async () => {
    await db.sql('CREATE TABLE nums AS SELECT g AS n FROM generate_series(1, 25) g')
    const src = new PostgresSource(db.conn(), { table: 'public.nums' })
    const sizes: number[] = []
    for await (const b of src.read(readCtx(undefined, 10))) sizes.push(b.rows.length)
    expect(sizes).toEqual([10, 10, 5])
    await src.close()
  })

  it('stopping early or aborting releases the connection and closes the cursor', async () => {
    const src = new PostgresSource(db.conn({ pool: 1 }), { table: 'nums', batch_size: 5 })
    for await (const b of src.read(readCtx())) {
      expect(b.rows.length).toBe(5)
      break
    }
    const ac = new AbortController()
    const ctx = { ...readCtx(undefined, 5), signal: ac.signal }
    const err = await (async () => {
      for await (const _ of src.read(ctx)) ac.abort()
    })().catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'E_CANCELLED' })
    // the single pooled connection is usable again
    expect((await collect(src.read(readCtx(undefined, 100)))).length).toBe(25)
    await src.close()
  })

  it('a statement timeout is a retryable error; bad SQL is not', async () => {
    const slow = new PostgresSource(db.conn({ statement_timeout: '100ms' }), {
      query: 'select pg_sleep(2) as x',
    })
    const e = (await collect(slow.read(readCtx())).catch((x: unknown) => x)) as SluiceError
    expect(e).toBeInstanceOf(SluiceError)
    expect(e.retryable).toBe(true)
    expect(e.message).toMatch(/statement timeout/)
    await slow.close()
    const bad = new PostgresSource(db.conn(), { query: 'selec 1' })
    await expect(bad.schema(readCtx())).rejects.toMatchObject({
      code: 'E_TASK_FAILED',
      retryable: false,
    })
    await bad.close()
  })

  it('rejects bad options and bad table names', () => {
    expect(() => new PostgresSource(db.conn(), {})).toThrow(/exactly one of table or query/)
    const pg = { maxParts: 3 }
    expect(splitQualifiedName('"a.b"."C ""d"""', pg)).toEqual(['a.b', 'C "d"'])
    expect(splitQualifiedName('Public.Orders', pg)).toEqual(['Public', 'Orders'])
    for (const bad of ['', 'a.', '.a', '"a', 'a"b', 'a.b.c.d'])
      expect(() => splitQualifiedName(bad, pg)).toThrow(SluiceError)
  })

  it('any unicode text (tabs, newlines, backslashes, emoji, "" vs NULL) survives COPY and the read', async () => {
    const schema: TableSchema = {
      columns: [
        { name: 'i', type: { kind: 'int32' }, nullable: false },
        { name: 's', type: { kind: 'string' }, nullable: true },
        { name: 'b', type: { kind: 'binary' }, nullable: true },
      ],
    }
    const text = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({
        unit: fc.constantFrom('\\', '\t', '\n', '\r', 'N', '.', '"', "'", 'x', '😀', ''),
      }),
    )
    const value = fc.option(
      text.filter((s) => !s.includes('\0')),
      { nil: null },
    )
    const bytes = fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null })
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(value, bytes), { maxLength: 30 }), async (vals) => {
        const table = `prop_${run++}`
        const rows = vals.map(([s, b], i) => [i, s, b])
        const dest = new PostgresDestination(db.conn(), { table })
        await dest.write(writeCtx(schema), batchesOf(schema, rows, 7))
        await dest.close()
        const src = new PostgresSource(db.conn(), { query: `select * from ${table} order by i` })
        const back = await collect(src.read(readCtx()))
        await src.close()
        expect(back).toEqual(rows)
      }),
      { numRuns: 40 },
    )
  })
})

describe('postgres type parsers', () => {
  it('normalise any server offset to UTC with microseconds', () => {
    const p = postgresTypeParsers.getTypeParser(1184, 'text') as (v: string) => unknown
    expect(p('2024-01-01 00:30:00.5+05:30')).toBe('2023-12-31T19:00:00.500000Z')
    expect(p('2024-01-01 23:59:59-01')).toBe('2024-01-02T00:59:59Z')
    expect(p('2024-01-01 12:00:00.000001+00')).toBe('2024-01-01T12:00:00.000001Z')
    expect(p('infinity')).toBe('infinity')
    const ts = postgresTypeParsers.getTypeParser(1114, 'text') as (v: string) => unknown
    expect(ts('2024-01-01 12:00:00.12')).toBe('2024-01-01T12:00:00.120000')
    const i8 = postgresTypeParsers.getTypeParser(20, 'text') as (v: string) => unknown
    expect(i8('9223372036854775807')).toBe(9223372036854775807n)
    const num = postgresTypeParsers.getTypeParser(1700, 'text') as (v: string) => unknown
    expect(num('0.10')).toBe('0.10')
  })

  it('map types both ways', () => {
    expect(postgresTypes.fromName('timestamp(3) with time zone')).toEqual({ kind: 'timestamptz' })
    expect(postgresTypes.fromName('numeric(12,2)')).toEqual({
      kind: 'decimal',
      precision: 12,
      scale: 2,
    })
    expect(postgresTypes.fromName('character varying(20)')).toEqual({ kind: 'string' })
    expect(postgresTypes.fromName('integer[]')).toEqual({ kind: 'string' })
    expect(postgresTypes.toDdl({ kind: 'decimal', precision: 38, scale: 9 })).toBe('numeric(38,9)')
    expect(postgresTypes.toDdl({ kind: 'json' })).toBe('jsonb')
  })
})
