import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InfluxdbSource } from '../../../../src/connectors/influxdb/influxdb-source.js'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import type { Value } from '../../../../src/data/column-type.js'
import type { ReadContext } from '../../../../src/data/connector-contract.js'
import { startInflux, type InfluxServer } from '../../../helpers/influx-server.js'
import { conn, influxQuery, influxWrite, readCtx } from './influx-test-kit.js'

// A real InfluxDB 1.6 (test/helpers/influx-server.ts); the suite fails when influxd is missing.
let server: InfluxServer
const db = 'src_test'
beforeAll(async () => {
  server = await startInflux()
  await influxQuery(server.url, '', `CREATE DATABASE ${db}`)
  await influxWrite(
    server.url,
    db,
    [
      'cpu,host=a,region=eu usage=1.5,count=3i,state="ok",up=true 1795341600000000001',
      'cpu,host=b,region=eu usage=2,count=4i,state="say \\"hi\\"",up=false 1795341601000000000',
      'cpu,host=a,region=us usage=2.5,count=5i,up=true 1795341602123456789',
      'cpu,host=c,region=us usage=3.5,count=6i,state="x" 1795341603000000000',
    ].join('\n'),
  )
})
afterAll(async () => {
  await server?.stop()
})

function source(options: Record<string, unknown>): InfluxdbSource {
  return new InfluxdbSource(conn(server.url, { database: db }), {
    connection: 'influx',
    ...options,
  })
}

async function readAll(
  s: InfluxdbSource,
  ctx: ReadContext = readCtx(),
): Promise<{ names: string[]; rows: Value[][]; batches: number }> {
  const schema = await s.schema(ctx)
  const rows: Value[][] = []
  let batches = 0
  for await (const b of s.read(ctx)) {
    batches++
    rows.push(...b.rows.map((r) => [...r]))
  }
  return { names: schema.columns.map((c) => `${c.name}:${c.type.kind}`), rows, batches }
}

describe('influxdb source (InfluxQL on InfluxDB 1.6)', () => {
  it('reads a SELECT as typed rows: time timestamptz, tags strings, fields by their types', async () => {
    const r = await readAll(source({ influxdb: { query: 'SELECT * FROM cpu' } }))
    expect(r.names).toEqual([
      'time:timestamptz',
      'count:int64',
      'host:string',
      'region:string',
      'state:string',
      'up:boolean',
      'usage:float64',
    ])
    expect(r.rows).toEqual([
      ['2026-11-22T10:00:00Z', 3n, 'a', 'eu', 'ok', true, 1.5],
      ['2026-11-22T10:00:01Z', 4n, 'b', 'eu', 'say "hi"', false, 2],
      ['2026-11-22T10:00:02.123456Z', 5n, 'a', 'us', null, true, 2.5],
      ['2026-11-22T10:00:03Z', 6n, 'c', 'us', 'x', null, 3.5],
    ])
  })

  it('puts GROUP BY tags in columns and reads the chunked response in batches', async () => {
    const s = source({
      influxdb: { query: 'SELECT usage FROM cpu GROUP BY host', chunk_size: 1 },
      batch_size: 2,
    })
    const r = await readAll(s)
    expect(r.names).toEqual(['time:timestamptz', 'host:string', 'usage:float64'])
    expect(r.rows.map((x) => [x[1], x[2]])).toEqual([
      ['a', 1.5],
      ['a', 2.5],
      ['b', 2],
      ['c', 3.5],
    ])
    expect(r.batches).toBe(2)
    // the watermark is the largest time, nanoseconds kept
    expect(s.watermark()).toBe('2026-11-22T10:00:03Z')
  })

  it('types aggregates from their values and declared columns', async () => {
    const r = await readAll(
      source({
        influxdb: { query: 'SELECT mean(usage), count(usage) FROM cpu' },
        columns: { count: 'int64' },
      }),
    )
    expect(r.names).toEqual(['time:timestamptz', 'mean:float64', 'count:int64'])
    expect(r.rows).toEqual([['1970-01-01T00:00:00Z', 2.375, 4n]])
  })

  it('reads incrementally: time > watermark added to the WHERE clause, nanoseconds kept', async () => {
    const inc = { incremental: { column: 'time' } }
    const first = source({
      influxdb: { query: "SELECT usage FROM cpu WHERE region = 'eu' OR region = 'us'" },
      ...inc,
    })
    expect((await readAll(first)).rows).toHaveLength(4)
    const wm = first.watermark()
    expect(wm).toBe('2026-11-22T10:00:03Z')
    // a point 1 ns after the watermark is read by the next run; the old ones are not
    await influxWrite(server.url, db, 'cpu,host=d,region=eu usage=9 1795341603000000001')
    const next = source({
      influxdb: { query: "SELECT usage FROM cpu WHERE region = 'eu' OR region = 'us'" },
      ...inc,
    })
    expect(next.plan({ since: wm }).query).toBe(
      "SELECT usage FROM cpu WHERE time > '2026-11-22T10:00:03Z' AND (region = 'eu' OR region = 'us')",
    )
    const r = await readAll(next, readCtx([], { since: wm }))
    expect(r.rows).toEqual([['2026-11-22T10:00:03Z', 9]])
    expect(next.watermark()).toBe('2026-11-22T10:00:03.000000001Z')
    // nothing new: the watermark stays
    const again = source({ influxdb: { query: 'SELECT usage FROM cpu' }, ...inc })
    const none = await readAll(again, readCtx([], { since: next.watermark() }))
    expect(none.rows).toEqual([])
    expect(again.watermark()).toBe('2026-11-22T10:00:03.000000001Z')
  })

  it('replaces $since with the watermark as a time literal', async () => {
    const s = source({
      influxdb: { query: 'SELECT usage FROM cpu WHERE time > $since AND usage > 0' },
      incremental: { column: 'time' },
    })
    const r = await readAll(s, readCtx([], { since: '2026-11-22T10:00:02Z' }))
    expect(r.rows.map((x) => x[1])).toEqual([2.5, 3.5, 9])
    const all = source({
      influxdb: { query: 'SELECT usage FROM cpu WHERE time > $since' },
      incremental: { column: 'time' },
    })
    expect((await readAll(all)).rows).toHaveLength(5)
  })

  it('fails with E_INFLUX_QUERY on a bad query', async () => {
    const err = await readAll(source({ influxdb: { query: 'SELECT FROM' } })).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(SluiceError)
    expect((err as SluiceError).code).toBe('E_INFLUX_QUERY')
  })

  it('refuses Flux on a version 1 connection and a missing influxdb block', () => {
    expect(() => source({ influxdb: { query: 'from(bucket: "x")', language: 'flux' } })).toThrow(
      /version 2/,
    )
    expect(() => source({})).toThrow(/influxdb: \{ query/)
  })
})
