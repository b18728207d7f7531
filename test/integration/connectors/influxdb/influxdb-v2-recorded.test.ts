import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InfluxdbDestination } from '../../../../src/connectors/influxdb/influxdb-destination.js'
import { InfluxdbSource } from '../../../../src/connectors/influxdb/influxdb-source.js'
import type { TableSchema, Value } from '../../../../src/data/column-type.js'
import { batchesOf, col, readCtx, writeCtx } from './influx-test-kit.js'

// No InfluxDB 2.x is installed: this checks the v2 requests sluice makes (paths, parameters,
// Token header, Flux body) against a local HTTP server that records them and answers with
// responses recorded from the InfluxDB 2 API documentation. The v1 paths are tested against a
// real InfluxDB 1.6 in the other files.
const FLUX_CSV = [
  '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string',
  '#group,false,false,true,true,false,false,true,true,true',
  '#default,_result,,,,,,,,',
  ',result,table,_start,_stop,_time,_value,_field,_measurement,host',
  ',,0,2026-11-22T00:00:00Z,2026-11-22T12:00:00Z,2026-11-22T10:00:00.000000001Z,1.5,usage,cpu,a',
  ',,0,2026-11-22T00:00:00Z,2026-11-22T12:00:00Z,2026-11-22T10:00:02Z,2.5,usage,cpu,a',
  '',
  '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string',
  '#group,false,false,true,true,false,false,true,true,true',
  '#default,_result,,,,,,,,',
  ',result,table,_start,_stop,_time,_value,_field,_measurement,host',
  ',,1,2026-11-22T00:00:00Z,2026-11-22T12:00:00Z,2026-11-22T10:00:01Z,7,usage,cpu,b',
  '',
  '',
].join('\r\n')

const STATE_CSV = [
  '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,string,string,string',
  '#group,false,false,true,true,false,false,true,true,true,true',
  '#default,_result,,,,,,,,,',
  ',result,table,_start,_stop,_time,_value,_field,_measurement,key,pipeline',
  ',,0,1970-01-01T00:00:00Z,2026-11-22T12:00:00Z,2026-11-22T10:00:00Z,"""2026-11-22T10:00:02Z""",value,_sluice_state,k,p',
  '',
  '',
].join('\r\n')

interface Seen {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

let server: Server
let url = ''
const seen: Seen[] = []
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      const path = (req.url ?? '').split('?')[0]
      if (path === '/api/v2/write') {
        res.writeHead(204).end()
      } else if (path === '/api/v2/query') {
        res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8' })
        res.end(body.includes('_sluice_state') ? STATE_CSV : FLUX_CSV)
      } else if (path === '/api/v2/buckets' && req.method === 'GET') {
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ buckets: [{ id: 'b1', name: 'metrics', retentionRules: [] }] }))
      } else if (path === '/api/v2/buckets/b1' && req.method === 'PATCH') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}')
      } else {
        res.writeHead(404).end('{"message":"not found"}')
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const addr = server.address()
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const v2 = (extra: Record<string, unknown> = {}) => ({
  name: 'influx2',
  url,
  options: { version: 2, org: 'acme', bucket: 'metrics', token: 'v2-secret-token', ...extra },
})

describe('influxdb v2 API (recorded responses, no 2.x server installed)', () => {
  it('writes to /api/v2/write with org, bucket, precision and the Token header; sets bucket retention', async () => {
    seen.length = 0
    const schema: TableSchema = { columns: [col('time', 'timestamptz'), col('v', 'float64')] }
    const d = new InfluxdbDestination(v2({ retention: { duration: '30d' } }), {
      influxdb: { measurement: 'cpu', precision: 'ms' },
    })
    const rows: Value[][] = [['2026-11-22T10:00:00.123Z', 1.5]]
    const r = await d.write(
      writeCtx(schema, [], { watermark: { pipeline: 'p', key: 'k', value: 'w' } }),
      batchesOf(schema, rows),
    )
    expect(r.rowsWritten).toBe(1)
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/v2/buckets?org=acme&name=metrics',
      'PATCH /api/v2/buckets/b1',
      'POST /api/v2/write?org=acme&bucket=metrics&precision=ms',
      'POST /api/v2/write?org=acme&bucket=metrics&precision=ms',
    ])
    expect(JSON.parse(seen[1]!.body)).toEqual({
      retentionRules: [{ type: 'expire', everySeconds: 2_592_000 }],
    })
    expect(seen[2]!.body).toBe('cpu v=1.5 1795341600123')
    expect(seen[3]!.body).toMatch(/^_sluice_state,key=k,pipeline=p value="\\"w\\"" \d+$/)
    expect(seen.every((s) => s.headers.authorization === 'Token v2-secret-token')).toBe(true)
  })

  it('reads a Flux query from /api/v2/query as rows, with $since and the watermark', async () => {
    seen.length = 0
    const s = new InfluxdbSource(v2(), {
      influxdb: {
        query:
          'from(bucket: "metrics") |> range(start: $since) |> filter(fn: (r) => r._time > $since)',
      },
      incremental: { column: '_time' },
    })
    const ctx = readCtx([], { since: '2026-11-22T09:00:00Z' })
    const schema = await s.schema(ctx)
    const rows: Value[][] = []
    for await (const b of s.read(ctx)) rows.push(...b.rows.map((x) => [...x]))
    expect(schema.columns.map((c) => `${c.name}:${c.type.kind}`)).toEqual([
      '_start:timestamptz',
      '_stop:timestamptz',
      '_time:timestamptz',
      '_value:float64',
      '_field:string',
      '_measurement:string',
      'host:string',
    ])
    expect(rows.map((r) => [r[2], r[3], r[6]])).toEqual([
      ['2026-11-22T10:00:00Z', 1.5, 'a'],
      ['2026-11-22T10:00:02Z', 2.5, 'a'],
      ['2026-11-22T10:00:01Z', 7, 'b'],
    ])
    expect(s.watermark()).toBe('2026-11-22T10:00:02Z')
    expect(seen).toHaveLength(1)
    expect(seen[0]!.url).toBe('/api/v2/query?org=acme')
    expect(seen[0]!.headers.accept).toBe('application/csv')
    const body = JSON.parse(seen[0]!.body) as { query: string; type: string }
    expect(body.type).toBe('flux')
    expect(body.query).toBe(
      'from(bucket: "metrics") |> range(start: time(v: "2026-11-22T09:00:00Z")) |> filter(fn: (r) => r._time > time(v: "2026-11-22T09:00:00Z"))',
    )
  })

  it('reads the watermark from the last _sluice_state point through Flux', async () => {
    const d = new InfluxdbDestination(v2(), { influxdb: { measurement: 'cpu' } })
    expect(await d.readWatermark({ pipeline: 'p', key: 'k' })).toBe('2026-11-22T10:00:02Z')
  })
})
