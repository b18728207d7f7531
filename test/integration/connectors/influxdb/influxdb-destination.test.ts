import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InfluxdbDestination } from '../../../../src/connectors/influxdb/influxdb-destination.js'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import type { TableSchema, Value } from '../../../../src/data/column-type.js'
import { startInflux, type InfluxServer } from '../../../helpers/influx-server.js'
import { batchesOf, col, conn, influxQuery, startProxy, writeCtx } from './influx-test-kit.js'

// A real InfluxDB 1.6 (test/helpers/influx-server.ts); the suite fails when influxd is missing.
let server: InfluxServer
beforeAll(async () => {
  server = await startInflux()
})
afterAll(async () => {
  await server?.stop()
})

let dbCounter = 0
const newDb = (): string => `sluice_t${++dbCounter}`

function destination(
  db: string,
  influxdb: Record<string, unknown>,
  options: Record<string, unknown> = {},
  url = server.url,
) {
  return new InfluxdbDestination(conn(url, { database: db, ...options }), {
    connection: 'influx',
    influxdb,
  })
}

describe('influxdb destination (InfluxDB 1.6)', () => {
  it('round-trips tricky measurement, tag and field names and values exactly', async () => {
    const db = newDb()
    const measurement = 'météo, station=1 "x"'
    const schema: TableSchema = {
      columns: [
        col('time', 'timestamptz'),
        col('sta tion', 'string'),
        col('k=v,x', 'string'),
        col('uni✓', 'string'),
        col('field one', 'string'),
        col('f,=k', 'float64'),
      ],
    }
    const rows: Value[][] = [
      [
        '2026-11-22T10:00:00.000001Z',
        'a b',
        'c,d=e',
        'C:\\dir\\file é😀',
        'say "hi" \\ back\\slash\nnew line',
        1.25,
      ],
      ['2026-11-22T10:00:01Z', 'x=y', 'plain', 'line\nbreak', '', -0.5],
    ]
    const d = destination(db, { measurement, tags: ['sta tion', 'k=v,x', 'uni✓'] })
    const r = await d.write(writeCtx(schema), batchesOf(schema, rows))
    expect(r).toMatchObject({ rowsWritten: 2, rowsRejected: 0 })
    const q = await influxQuery(server.url, db, `SELECT * FROM "météo, station=1 \\"x\\""`)
    const s = q.results[0]!.series![0]!
    expect(s.name).toBe(measurement)
    expect(s.columns).toEqual(['time', 'f,=k', 'field one', 'k=v,x', 'sta tion', 'uni✓'])
    expect(s.values).toEqual([
      [
        '2026-11-22T10:00:00.000001Z',
        1.25,
        'say "hi" \\ back\\slash\nnew line',
        'c,d=e',
        'a b',
        'C:\\dir\\file é😀',
      ],
      // a newline cannot be in a tag value: it is written as the two characters \n
      ['2026-11-22T10:00:01Z', -0.5, '', 'plain', 'x=y', 'line\\nbreak'],
    ])
  })

  it('writes value types as InfluxDB types, leaves NULLs and NaN out and skips empty points', async () => {
    const db = newDb()
    const schema: TableSchema = {
      columns: [
        col('time', 'timestamp'),
        col('i', 'int32'),
        col('big', 'int64'),
        col('f', 'float64'),
        col('ok', 'boolean'),
        col('s', 'string'),
        col('dec', 'decimal'),
        col('day', 'date'),
        col('j', 'json'),
      ],
    }
    const rows: Value[][] = [
      [
        '2026-11-22T10:00:00',
        1,
        9007199254740993n,
        1.5,
        true,
        's',
        '12.30',
        '2026-11-22',
        '{"a":[1]}',
      ],
      ['2026-11-22T10:00:01', null, null, NaN, false, null, null, null, null],
      ['2026-11-22T10:00:02', null, null, Infinity, null, null, null, null, null],
    ]
    const logs: string[] = []
    const d = destination(db, { measurement: 'types' })
    const r = await d.write(
      writeCtx(schema, logs, { rejects: { max: 10 } }),
      batchesOf(schema, rows),
    )
    expect(r.rowsWritten).toBe(2)
    expect(r.rowsRejected).toBe(1)
    expect(r.rejected).toEqual([
      expect.objectContaining({
        file: 'types',
        line: 3,
        reason: expect.stringMatching(/no field/),
      }),
    ])
    expect(logs.some((l) => l.includes('NaN or Infinity cannot be written'))).toBe(true)
    const keys = await influxQuery(server.url, db, 'SHOW FIELD KEYS FROM types')
    expect(
      Object.fromEntries(keys.results[0]!.series![0]!.values.map((v) => [v[0], v[1]])),
    ).toEqual({
      i: 'integer',
      big: 'integer',
      f: 'float',
      ok: 'boolean',
      s: 'string',
      dec: 'string',
      day: 'string',
      j: 'string',
    })
    const q = await influxQuery(server.url, db, 'SELECT * FROM types')
    const s = q.results[0]!.series![0]!
    expect(s.columns).toEqual(['time', 'big', 'day', 'dec', 'f', 'i', 'j', 'ok', 's'])
    expect(s.values).toEqual([
      [
        '2026-11-22T10:00:00Z',
        9007199254740992,
        '2026-11-22',
        '12.30',
        1.5,
        1,
        '{"a":[1]}',
        true,
        's',
      ],
      ['2026-11-22T10:00:01Z', null, null, null, null, null, null, false, null],
    ])
  })

  it('sends batch_size points per request, gzipped, and creates the database', async () => {
    const db = newDb()
    const proxy = await startProxy(server.url)
    try {
      const schema: TableSchema = {
        columns: [col('time', 'timestamptz'), col('host', 'string'), col('v', 'float64')],
      }
      const base = Date.parse('2026-11-22T00:00:00Z')
      const rows: Value[][] = Array.from({ length: 12_345 }, (_x, i) => [
        new Date(base + i * 1000).toISOString(),
        `h${i % 7}`,
        i / 2,
      ])
      const d = destination(
        db,
        { measurement: 'cpu', tags: ['host'], batch_size: 1000, gzip: true },
        {},
        proxy.url,
      )
      const r = await d.write(writeCtx(schema), batchesOf(schema, rows, 777))
      expect(r.rowsWritten).toBe(12_345)
      const writes = proxy.seen.filter((s) => s.url.startsWith('/write'))
      expect(writes).toHaveLength(13)
      expect(writes.every((w) => w.headers['content-encoding'] === 'gzip')).toBe(true)
      expect(proxy.seen[0]!.url).toBe('/query')
      const q = await influxQuery(server.url, db, 'SELECT count(v), sum(v) FROM cpu')
      expect(q.results[0]!.series![0]!.values[0]!.slice(1)).toEqual([12_345, (12_344 * 12_345) / 4])
    } finally {
      await proxy.close()
    }
  })

  it('reports a line InfluxDB cannot parse with its number, text and input row', async () => {
    const db = newDb()
    const schema: TableSchema = { columns: [col('t', 'string'), col('v', 'int64')] }
    // a tag value ending in a backslash cannot be written in line protocol (documented limit)
    const rows: Value[][] = [
      ['ok', 1n],
      ['ok2', 2n],
      ['bad\\', 3n],
      ['ok3', 4n],
    ]
    const d = destination(db, { measurement: 'm', tags: ['t'], batch_size: 2 })
    const err = await d.write(writeCtx(schema), batchesOf(schema, rows)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SluiceError)
    const e = err as SluiceError
    expect(e.code).toBe('E_INFLUX_WRITE')
    expect(e.row).toBe(3)
    expect(e.message).toContain('line 1 of the request (input row 3): m,t=bad\\ v=3i')
    expect(e.message).toContain('unable to parse')
  })

  it('reports a partial write (field type conflict) with the offending line', async () => {
    const db = newDb()
    const intSchema: TableSchema = { columns: [col('v', 'int64')] }
    await destination(db, { measurement: 'm' }).write(
      writeCtx(intSchema),
      batchesOf(intSchema, [[1n]]),
    )
    const floatSchema: TableSchema = { columns: [col('host', 'string'), col('v', 'float64')] }
    const err = await destination(db, { measurement: 'm', tags: ['host'] })
      .write(
        writeCtx(floatSchema),
        batchesOf(floatSchema, [
          ['a', null],
          ['b', 2.5],
        ]),
      )
      .catch((e: unknown) => e)
    const e = err as SluiceError
    expect(e.code).toBe('E_INFLUX_WRITE')
    expect(e.message).toContain('partial write: field type conflict')
    expect(e.message).toContain('input row 2): m,host=b v=2.5')
    expect(e.row).toBe(2)
  })

  it('fails with a hint when the database is missing and create is false', async () => {
    const schema: TableSchema = { columns: [col('v', 'int64')] }
    const err = await destination('nope_db', { measurement: 'm' }, { create: false })
      .write(writeCtx(schema), batchesOf(schema, [[1n]]))
      .catch((e: unknown) => e)
    expect((err as SluiceError).code).toBe('E_INFLUX_WRITE')
    expect((err as SluiceError).message).toMatch(/404.*database not found/)
  })

  it('creates a retention policy, then alters it when the config changes', async () => {
    const db = newDb()
    const schema: TableSchema = { columns: [col('v', 'int64')] }
    const policies = async () =>
      (await influxQuery(server.url, db, `SHOW RETENTION POLICIES ON "${db}"`)).results[0]!
        .series![0]!.values
    const logs: string[] = []
    await destination(
      db,
      { measurement: 'm' },
      { retention: { name: 'short', duration: '2h' } },
    ).write(writeCtx(schema, logs), batchesOf(schema, [[1n]]))
    expect(await policies()).toContainEqual(['short', '2h0m0s', '1h0m0s', 1, false])
    expect(logs.some((l) => l.includes('created retention policy short'))).toBe(true)
    // points went to the configured policy
    const inShort = await influxQuery(server.url, db, `SELECT * FROM "${db}"."short"."m"`)
    expect(inShort.results[0]!.series![0]!.values).toHaveLength(1)
    await destination(
      db,
      { measurement: 'm' },
      { retention: { name: 'short', duration: '30d', default: true } },
    ).write(writeCtx(schema, logs), batchesOf(schema, [[2n]]))
    // ALTER keeps the shard group duration unless shard_duration is given
    expect(await policies()).toContainEqual(['short', '720h0m0s', '1h0m0s', 1, true])
    expect(logs.some((l) => l.includes('altered retention policy short'))).toBe(true)
  })

  it('warns when a tag passes tag_cardinality_warn distinct values', async () => {
    const db = newDb()
    const schema: TableSchema = { columns: [col('user', 'string'), col('v', 'int64')] }
    const rows: Value[][] = Array.from({ length: 120 }, (_x, i) => [`u${i}`, BigInt(i)])
    const logs: string[] = []
    await destination(db, { measurement: 'm', tags: ['user'], tag_cardinality_warn: 100 }).write(
      writeCtx(schema, logs),
      batchesOf(schema, rows),
    )
    expect(
      logs.filter((l) => l.includes('tag "user" has more than 100 distinct values')),
    ).toHaveLength(1)
  })

  it('commits the watermark as a _sluice_state point after the rows and reads the last one', async () => {
    const db = newDb()
    const schema: TableSchema = { columns: [col('v', 'int64')] }
    const d = destination(db, { measurement: 'm' })
    const ref = { pipeline: 'pipe line', key: 'task,a' }
    expect(await d.readWatermark(ref)).toBeUndefined()
    await d.write(
      writeCtx(schema, [], { watermark: { ...ref, value: { value: '2026-11-22T10:00:00Z' } } }),
      batchesOf(schema, [[1n]]),
    )
    expect(await d.readWatermark(ref)).toEqual({ value: '2026-11-22T10:00:00Z' })
    await new Promise((r) => setTimeout(r, 5))
    await d.write(
      writeCtx(schema, [], { watermark: { ...ref, value: 'second' } }),
      batchesOf(schema, [[2n]]),
    )
    expect(await d.readWatermark(ref)).toBe('second')
    expect(await d.readWatermark({ pipeline: 'pipe line', key: 'other' })).toBeUndefined()
    const state = await influxQuery(server.url, db, 'SELECT * FROM _sluice_state')
    expect(state.results[0]!.series![0]!.columns).toEqual(['time', 'key', 'pipeline', 'value'])
  })

  it('does not commit the watermark when a batch fails', async () => {
    const db = newDb()
    const schema: TableSchema = { columns: [col('t', 'string'), col('v', 'int64')] }
    const d = destination(db, { measurement: 'm', tags: ['t'] })
    const ref = { pipeline: 'p', key: 'k' }
    await expect(
      d.write(
        writeCtx(schema, [], { watermark: { ...ref, value: 1 } }),
        batchesOf(schema, [['bad\\', 1n]]),
      ),
    ).rejects.toThrow(/unable to parse/)
    expect(await d.readWatermark(ref)).toBeUndefined()
  })

  it('honours Retry-After on 429 and 503, and retries 500 and dropped connections', async () => {
    const db = newDb()
    const proxy = await startProxy(server.url)
    try {
      const schema: TableSchema = { columns: [col('v', 'int64')] }
      const d = destination(
        db,
        { measurement: 'm' },
        { create: false, retries: { initial_delay: '20ms', max_attempts: 6 } },
        proxy.url,
      )
      // the write meets 429, 503 (both with Retry-After: 1), 500 and a dropped connection
      proxy.plan.push(
        { status: 429, headers: { 'Retry-After': '1' } },
        { status: 503, headers: { 'Retry-After': '1' } },
        { status: 500 },
        'drop',
      )
      await influxQuery(server.url, '', `CREATE DATABASE ${db}`)
      const started = Date.now()
      const r = await d.write(writeCtx(schema), batchesOf(schema, [[1n]]))
      const elapsed = Date.now() - started
      expect(r.rowsWritten).toBe(1)
      expect(elapsed).toBeGreaterThanOrEqual(1900)
      expect(elapsed).toBeLessThan(6000)
      expect(proxy.seen.filter((s) => s.url.startsWith('/write'))).toHaveLength(5)
      const q = await influxQuery(server.url, db, 'SELECT count(v) FROM m')
      expect(q.results[0]!.series![0]!.values[0]![1]).toBe(1)
    } finally {
      await proxy.close()
    }
  })

  it('gives up after max_attempts with a retryable E_NETWORK, and never shows the token', async () => {
    const proxy = await startProxy(server.url)
    try {
      const schema: TableSchema = { columns: [col('v', 'int64')] }
      const token = 'tok-very-secret-123'
      const d = destination(
        newDb(),
        { measurement: 'm' },
        { token, create: false, retries: { max_attempts: 2, initial_delay: '10ms' } },
        proxy.url,
      )
      proxy.plan.push({ status: 503, body: `{"error":"overloaded ${token}"}` }, { status: 503 })
      const err = (await d
        .write(writeCtx(schema), batchesOf(schema, [[1n]]))
        .catch((e: unknown) => e)) as SluiceError
      expect(err.code).toBe('E_NETWORK')
      expect(err.retryable).toBe(true)
      expect(proxy.seen[0]!.headers.authorization).toBe(`Token ${token}`)
      proxy.plan.push({ status: 401, body: `{"error":"bad token ${token}"}` })
      const auth = (await d
        .write(writeCtx(schema), batchesOf(schema, [[1n]]))
        .catch((e: unknown) => e)) as SluiceError
      expect(auth.code).toBe('E_HTTP_AUTH')
      expect(`${err.message} ${auth.message}`).not.toContain(token)
    } finally {
      await proxy.close()
    }
  })
})
