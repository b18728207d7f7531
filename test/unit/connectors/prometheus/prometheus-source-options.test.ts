import { describe, expect, it } from 'vitest'
import { PrometheusSource } from '../../../../src/connectors/prometheus/prometheus-source.js'
import { PrometheusClient } from '../../../../src/connectors/prometheus/prometheus-client.js'
import { prometheusSourceSchema } from '../../../../src/core/spec/prometheus-io-schema.js'

const conn = (options: Record<string, unknown> = {}, url = 'http://127.0.0.1:1') => ({
  name: 'prom',
  url,
  options,
})

describe('prometheus source options', () => {
  it('needs query and step for range, query for instant, match for series', () => {
    const issues = (v: unknown) =>
      prometheusSourceSchema.safeParse(v).error?.issues.map((i) => i.path.join('.')) ?? []
    expect(issues({ start: 'now-1h' })).toEqual(['query', 'step'])
    expect(issues({ type: 'instant' })).toEqual(['query'])
    expect(issues({ type: 'series' })).toEqual(['match'])
    expect(issues({ type: 'metadata' })).toEqual([])
    expect(issues({ query: 'up', step: '15s', bogus: 1 })).toEqual([''])
    expect(issues({ query: 'up', step: '15s', chunk_points: 20_000 })).toEqual(['chunk_points'])
  })

  it('rejects a bad time, an incremental column other than timestamp, a missing block', () => {
    expect(
      () =>
        new PrometheusSource(conn(), { prometheus: { query: 'up', step: '1m', start: 'soon' } }),
    ).toThrow(/prometheus.start: "soon" is not a time/)
    expect(
      () =>
        new PrometheusSource(conn(), {
          prometheus: { query: 'up', step: '1m', start: 'now-1h' },
          incremental: { column: 'ts' },
        }),
    ).toThrow(/incremental column must be timestamp/)
    expect(() => new PrometheusSource(conn(), { query: 'up' })).toThrow(/needs a prometheus: block/)
  })

  it('refuses token together with password, and a non-http url', () => {
    expect(() => new PrometheusClient(conn({ token: 'abcd', password: 'efgh' }))).toThrow(
      /either token/,
    )
    expect(() => new PrometheusClient(conn({}, 'ftp://x'))).toThrow(/http/)
  })

  it('never shows the password or token in errors (connection refused)', async () => {
    const ac = new AbortController()
    for (const c of [
      conn({ username: 'u', password: 's3cr3t-pass' }),
      conn({ token: 't0ken-value' }),
      conn({}, 'http://u:s3cr3t-pass@127.0.0.1:1'),
    ]) {
      const err = await new PrometheusClient(c)
        .call('query', [['query', 'up']], ac.signal, 'up')
        .then(
          () => undefined,
          (e: unknown) => e as Error & { code: string; retryable: boolean },
        )
      if (err === undefined) throw new Error('expected a failure')
      expect(err.code).toBe('E_PROMETHEUS_SERVER')
      expect(err.retryable).toBe(true)
      expect(err.message).toContain('query: up')
      expect(err.message).not.toMatch(/s3cr3t|t0ken/)
    }
  })
})
