import { describe, expect, it } from 'vitest'
import { startPrometheus } from '../../../helpers/prometheus-server.js'
import {
  HISTORY_FROM,
  HISTORY_TO,
  rawApi,
  readError,
  readSource,
  usePrometheus,
} from './prom-test-server.js'

const { server } = usePrometheus()
const iso = (s: number) => new Date(s * 1000).toISOString()

describe('prometheus instant queries, series and metadata (real Prometheus 2.42)', () => {
  it('type: instant evaluates at time: and matches the raw /api/v1/query answer', async () => {
    const t = HISTORY_TO - 600
    const raw = await rawApi(server().url, 'query', { query: 'sluice_test_gauge', time: String(t) })
    const result = (
      raw.data as { result: { metric: Record<string, string>; value: [number, string] }[] }
    ).result
    const r = await readSource(server().url, {
      prometheus: { type: 'instant', query: 'sluice_test_gauge', time: iso(t) },
    })
    expect(r.rows).toEqual(
      result.map((s) => [
        iso(s.value[0]),
        'sluice_test_gauge',
        s.metric.host,
        s.metric.zone ?? null,
        Number(s.value[1]),
      ]),
    )
    expect(r.rows).toEqual([
      [iso(t), 'sluice_test_gauge', 'a', null, 170],
      [iso(t), 'sluice_test_gauge', 'b', 'z1', 1170],
    ])
  })

  it('type: instant of a scalar gives one row named after the query; time defaults to now', async () => {
    const r = await readSource(server().url, {
      prometheus: { type: 'instant', query: 'scalar(vector(42))' },
    })
    expect(r.schema.columns.map((c) => c.name)).toEqual(['timestamp', 'metric', 'value'])
    expect(r.rows).toHaveLength(1)
    expect(r.rows[0]!.slice(1)).toEqual(['scalar(vector(42))', 42])
    expect(Math.abs(Date.parse(String(r.rows[0]![0])) - Date.now())).toBeLessThan(30_000)
  })

  it('type: series lists the series of match[] with their labels as columns or JSON', async () => {
    const source = (labels?: string) => ({
      prometheus: {
        type: 'series',
        match: ['sluice_test_gauge', 'sluice_test_odd'],
        start: HISTORY_FROM,
        end: HISTORY_TO,
        ...(labels && { labels }),
      },
    })
    const r = await readSource(server().url, source())
    expect(r.schema.columns.map((c) => c.name)).toEqual(['metric', 'host', 'kind', 'zone'])
    expect(r.rows).toEqual([
      ['sluice_test_gauge', 'a', null, null],
      ['sluice_test_gauge', 'b', null, 'z1'],
      ['sluice_test_odd', null, 'cycle', null],
    ])
    const j = await readSource(server().url, source('json'))
    expect(j.rows).toEqual([
      ['sluice_test_gauge', '{"host":"a"}'],
      ['sluice_test_gauge', '{"host":"b","zone":"z1"}'],
      ['sluice_test_odd', '{"kind":"cycle"}'],
    ])
  })

  it('type: metadata lists type, help and unit per metric (self-scraped)', async () => {
    const r = await readSource(server().url, { prometheus: { type: 'metadata' } })
    expect(r.schema.columns.map((c) => c.name)).toEqual(['metric', 'type', 'help', 'unit'])
    const byName = new Map(r.rows.map((x) => [x[0], x]))
    expect(byName.get('prometheus_http_requests_total')?.slice(1, 2)).toEqual(['counter'])
    expect(byName.get('prometheus_http_request_duration_seconds')?.[1]).toBe('histogram')
    const one = await readSource(server().url, {
      prometheus: { type: 'metadata', metric: 'prometheus_http_requests_total' },
    })
    expect(one.rows).toEqual([byName.get('prometheus_http_requests_total')])
    expect(one.rows[0]![2]).toMatch(/HTTP requests/)
    const names = [...byName.keys()]
    expect(names).toEqual([...names].sort())
  })

  it('bad PromQL fails with E_PROMETHEUS_QUERY naming the query and bad_data, not retryable', async () => {
    const query = 'sum(rate(sluice_test_gauge[5m]'
    for (const prometheus of [
      { query, start: 'now-1h', step: '1m' },
      { type: 'instant', query },
    ]) {
      const e = await readError(server().url, { prometheus })
      expect(e.code).toBe('E_PROMETHEUS_QUERY')
      expect(e.retryable).toBe(false)
      expect(e.message).toContain(`query: ${query}`)
      expect(e.message).toContain('bad_data (HTTP 400)')
      expect(e.message).toMatch(/parse error/)
    }
  })

  it('an execution error (a string result) and a bad series selector are not retryable', async () => {
    const s = await readError(server().url, {
      prometheus: { type: 'instant', query: '"text"' },
    })
    expect(s.code).toBe('E_PROMETHEUS_QUERY')
    expect(s.message).toContain('string result')
    const m = await readError(server().url, {
      prometheus: { type: 'series', match: ['{}'] },
    })
    expect(m.code).toBe('E_PROMETHEUS_QUERY')
    expect(m.message).toContain('query: {}')
  })

  it('a server that is down fails with a retryable E_PROMETHEUS_SERVER', async () => {
    const err = await readError('http://127.0.0.1:1', {
      prometheus: { type: 'instant', query: 'up' },
    })
    expect(err.code).toBe('E_PROMETHEUS_SERVER')
    expect(err.retryable).toBe(true)
    expect(err.message).toMatch(/query: up/)
  })

  it('a query timeout (timeout: sent to Prometheus) is a retryable E_PROMETHEUS_SERVER', async () => {
    const err = await readError(server().url, {
      prometheus: {
        // ~4M evaluations (a 1s subquery over 3h at each of 181 steps): never done in 1ms
        query: 'sum_over_time(sluice_test_gauge[3h:1s])',
        start: HISTORY_FROM,
        end: HISTORY_TO,
        step: '1m',
        timeout: '1ms',
      },
    })
    expect(err.code).toBe('E_PROMETHEUS_SERVER')
    expect(err.retryable).toBe(true)
    // `timeout (HTTP 503)` from the evaluator, or `execution (HTTP 422): … context deadline
    // exceeded` when the deadline hits while reading storage
    expect(err.message).toMatch(/timeout \(HTTP 503\)|execution \(HTTP 422\): .*deadline exceeded/)
    expect(err.hint).toMatch(/ran too long/)
  })

  it('startPrometheus throws (tests fail, never skip) when the binary is missing', async () => {
    await expect(startPrometheus({ bin: '/nonexistent/prometheus' })).rejects.toThrow(
      /Prometheus is not installed at \/nonexistent\/prometheus/,
    )
  })
})
