import { describe, expect, it } from 'vitest'
import { HISTORY_FROM, HISTORY_TO, rawApi, readSource, usePrometheus } from './prom-test-server.js'

const { server } = usePrometheus()
const iso = (s: number) => new Date(s * 1000).toISOString()

type Matrix = { metric: Record<string, string>; values: [number, string][] }[]

describe('prometheus range queries (real Prometheus 2.42)', () => {
  it('gives the same samples as the raw /api/v1/query_range answer, in long form', async () => {
    const start = HISTORY_FROM + 30
    const end = HISTORY_TO
    const raw = await rawApi(server().url, 'query_range', {
      query: 'sluice_test_gauge',
      start: String(start),
      end: String(end),
      step: '60',
    })
    const expected = (raw.data as { result: Matrix }).result.flatMap((s) =>
      s.values.map(([t, v]) => [
        iso(t),
        'sluice_test_gauge',
        s.metric.host,
        s.metric.zone ?? null,
        Number(v),
      ]),
    )
    expect(expected.length).toBe(2 * 180)
    const r = await readSource(server().url, {
      prometheus: { query: 'sluice_test_gauge', start, end, step: '1m' },
    })
    expect(r.schema.columns.map((c) => `${c.name}:${c.type.kind}`)).toEqual([
      'timestamp:timestamptz',
      'metric:string',
      'host:string',
      'zone:string',
      'value:float64',
    ])
    expect(r.rows).toEqual(expected)
    expect(r.rows[0]).toEqual([iso(start), 'sluice_test_gauge', 'a', null, 0])
  })

  it('queries: several named queries in one table, each row naming its query; rate() series take the name as metric', async () => {
    const start = HISTORY_FROM + 600
    const end = HISTORY_FROM + 1200
    const one = async (query: string) =>
      (
        await readSource(server().url, {
          prometheus: { query, start, end, step: '1m', labels: 'json' },
        })
      ).rows
    const gauge = await one('sluice_test_gauge')
    const doubled = await one('sluice_test_gauge * 2')
    const r = await readSource(server().url, {
      prometheus: {
        queries: { level: 'sluice_test_gauge', twice: 'sluice_test_gauge * 2' },
        query_column: 'metric_type',
        start,
        end,
        step: '1m',
        labels: 'json',
      },
    })
    expect(r.schema.columns.map((c) => c.name)).toEqual([
      'timestamp',
      'metric',
      'metric_type',
      'labels',
      'value',
    ])
    const level = r.rows.filter((row) => row[2] === 'level')
    const twice = r.rows.filter((row) => row[2] === 'twice')
    expect(level.map((row) => [row[0], row[1], row[3], row[4]])).toEqual(gauge)
    expect(twice.map((row) => [row[0], row[3], row[4]])).toEqual(
      doubled.map((row) => [row[0], row[2], row[3]]),
    )
    // `* 2` drops __name__: the query's name stands in
    expect(new Set(twice.map((row) => row[1]))).toEqual(new Set(['twice']))
    expect(level.length).toBeGreaterThan(0)
    expect(twice.length).toBe(level.length)
  })

  it('labels: [names] gives exactly those columns, also for an empty result, without a first pass', async () => {
    const source = (start: number, end: number) => ({
      prometheus: {
        query: 'sluice_test_gauge',
        start,
        end,
        step: '1m',
        labels: ['host', 'region'],
      },
    })
    const cols = ['timestamp', 'metric', 'host', 'region', 'value']
    const some = await readSource(server().url, source(HISTORY_FROM, HISTORY_FROM + 300))
    expect(some.schema.columns.map((c) => c.name)).toEqual(cols)
    expect(some.rows.length).toBe(2 * 6)
    expect(new Set(some.rows.map((r) => r[3]))).toEqual(new Set([null]))
    expect(some.logs.join('\n')).toContain('label zone is not in labels: [host, region]')
    // long before the history: no series at all, same columns
    const none = await readSource(
      server().url,
      source(HISTORY_FROM - 86_400, HISTORY_FROM - 80_000),
    )
    expect(none.schema.columns.map((c) => c.name)).toEqual(cols)
    expect(none.rows).toEqual([])
  })

  it('chunking: many small requests give the same rows, no boundary sample twice or missing', async () => {
    const source = (chunk_points?: number) => ({
      prometheus: {
        query: 'sluice_test_gauge',
        start: iso(HISTORY_FROM),
        end: iso(HISTORY_TO),
        step: '1m',
        ...(chunk_points && { chunk_points }),
      },
    })
    const whole = await readSource(server().url, source())
    const chunked = await readSource(server().url, source(7), { batchRows: 5 })
    // 181 times / 7 per request = 26 requests, each yielding batches of at most 5 rows
    expect(chunked.logs).toContain('prometheus: range read in 26 requests')
    expect(chunked.batches).toBeGreaterThan(26)
    const key = (r: unknown[]) => `${String(r[0])}|${String(r[2])}`
    const sorted = (rows: unknown[][]) => rows.map(key).sort()
    expect(chunked.rows.length).toBe(2 * 181)
    expect(new Set(chunked.rows.map(key)).size).toBe(chunked.rows.length)
    expect(sorted(chunked.rows)).toEqual(sorted(whole.rows))
    const a = chunked.rows.filter((r) => r[2] === 'a').map((r) => Date.parse(String(r[0])))
    for (let i = 1; i < a.length; i++) expect(a[i]! - a[i - 1]!).toBe(60_000)
  })

  it('reads more than the 11,000 points per series the server allows in one request', async () => {
    const start = HISTORY_TO - 4 * 3600
    const raw = await rawApi(server().url, 'query_range', {
      query: 'sluice_test_gauge{host="a"}',
      start: String(start),
      end: String(HISTORY_TO),
      step: '1',
    })
    expect(raw.errorType).toBe('bad_data') // 14,401 points: too many for one request
    const r = await readSource(server().url, {
      prometheus: { query: 'sluice_test_gauge{host="a"}', start, end: HISTORY_TO, step: '1s' },
    })
    expect(r.logs).toContain('prometheus: range read in 2 requests')
    const times = r.rows.map((x) => Date.parse(String(x[0])) / 1000)
    // the gauge starts at HISTORY_FROM: from there on every second has a sample
    expect(times[0]).toBe(HISTORY_FROM)
    expect(times.at(-1)).toBe(HISTORY_TO)
    expect(times.length).toBe(HISTORY_TO - HISTORY_FROM + 1)
    expect(r.rows.at(-1)![r.schema.columns.length - 1]).toBe(180)
  })

  it('labels: json puts every label (but __name__) in one sorted JSON map', async () => {
    const r = await readSource(server().url, {
      prometheus: {
        query: 'sluice_test_gauge',
        start: HISTORY_TO,
        end: HISTORY_TO,
        step: '1m',
        labels: 'json',
      },
    })
    expect(r.schema.columns.map((c) => `${c.name}:${c.type.kind}`)).toEqual([
      'timestamp:timestamptz',
      'metric:string',
      'labels:json',
      'value:float64',
    ])
    expect(r.rows.map((x) => x.slice(1))).toEqual([
      ['sluice_test_gauge', '{"host":"a"}', 180],
      ['sluice_test_gauge', '{"host":"b","zone":"z1"}', 1180],
    ])
  })

  it('names series without __name__ after name: (or the query), labels that clash get label_', async () => {
    const q = 'label_replace(sum by (host) (sluice_test_gauge), "value", "x", "", "")'
    const r = await readSource(server().url, {
      prometheus: { query: q, start: HISTORY_TO, end: HISTORY_TO, step: '1m' },
    })
    expect(r.schema.columns.map((c) => c.name)).toEqual([
      'timestamp',
      'metric',
      'host',
      'label_value',
      'value',
    ])
    expect(r.rows.map((x) => x.slice(1))).toEqual([
      [q, 'a', 'x', 180],
      [q, 'b', 'x', 1180],
    ])
    const named = await readSource(server().url, {
      prometheus: {
        query: 'sum(sluice_test_gauge)',
        name: 'total',
        start: HISTORY_TO,
        end: HISTORY_TO,
        step: '1m',
      },
    })
    expect(named.rows).toEqual([[iso(HISTORY_TO), 'total', 1360]])
  })

  it('non_finite: null (default), drop, keep for NaN, +Inf, -Inf samples', async () => {
    const read = (non_finite?: string) =>
      readSource(server().url, {
        prometheus: {
          query: 'sluice_test_odd',
          start: HISTORY_FROM,
          end: HISTORY_FROM + 7 * 60,
          step: '1m',
          ...(non_finite && { non_finite }),
        },
      }).then((r) => r.rows.map((x) => x[3]))
    expect(await read()).toEqual([1, null, null, null, 1, null, null, null])
    expect(await read('drop')).toEqual([1, 1])
    expect(await read('keep')).toEqual([1, NaN, Infinity, -Infinity, 1, NaN, Infinity, -Infinity])
  })

  it('reads live self-scraped metrics (rate, histogram_quantile) over the last seconds', async () => {
    const r = await readSource(server().url, {
      prometheus: {
        query:
          'histogram_quantile(0.95, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[1m])))',
        name: 'p95',
        start: 'now-5s',
        end: 'now',
        step: '1s',
      },
    })
    expect(r.rows.length).toBeGreaterThan(0)
    expect(r.schema.columns.map((c) => c.name)).toEqual(['timestamp', 'metric', 'value'])
    expect(r.rows.every((x) => x[1] === 'p95')).toBe(true)
    const up = await readSource(server().url, {
      prometheus: { query: 'up', start: 'now-3s', end: 'now', step: '1s' },
    })
    expect(up.schema.columns.map((c) => c.name)).toEqual([
      'timestamp',
      'metric',
      'instance',
      'job',
      'value',
    ])
    expect(up.rows.length).toBeGreaterThanOrEqual(3)
    expect(up.rows.every((x) => x[3] === 'prometheus' && x[4] === 1)).toBe(true)
  })
})
