import { describe, expect, it } from 'vitest'
import { prometheusApiError } from '../../../../src/connectors/prometheus/prometheus-error.js'

const call = { connection: 'prom', endpoint: 'query_range', query: 'up' }
const plain = (t: string) => t

describe('prometheusApiError', () => {
  it('maps errorType and status to a code and the retry flag', () => {
    const cases: [number, string | undefined, string, string, boolean][] = [
      [400, 'bad_data', 'parse error', 'E_PROMETHEUS_QUERY', false],
      [
        422,
        'execution',
        'query processing would load too many samples',
        'E_PROMETHEUS_QUERY',
        false,
      ],
      [
        422,
        'execution',
        'expanding series: context deadline exceeded',
        'E_PROMETHEUS_SERVER',
        true,
      ],
      [503, 'timeout', 'query timed out in expression evaluation', 'E_PROMETHEUS_SERVER', true],
      [503, 'canceled', 'query was canceled', 'E_PROMETHEUS_SERVER', true],
      [500, 'internal', 'storage error', 'E_PROMETHEUS_SERVER', true],
      [502, undefined, 'Bad Gateway', 'E_PROMETHEUS_SERVER', true],
      [429, undefined, 'slow down', 'E_PROMETHEUS_SERVER', true],
      [404, undefined, '404 page not found', 'E_PROMETHEUS_QUERY', false],
      [401, undefined, 'Unauthorized', 'E_PROMETHEUS_AUTH', false],
      [403, 'bad_data', 'forbidden', 'E_PROMETHEUS_AUTH', false],
    ]
    for (const [status, type, message, code, retryable] of cases) {
      const e = prometheusApiError(call, status, type, message, plain)
      expect([e.code, e.retryable], `${status} ${type}`).toEqual([code, retryable])
      expect(e.message).toContain('query: up')
      expect(e.message).toContain(message)
    }
  })

  it('passes Retry-After on and masks what the server echoed', () => {
    const e = prometheusApiError(
      call,
      503,
      undefined,
      'token abcd1234',
      (t) => t.replace('abcd1234', '***'),
      2000,
    )
    expect(e.retryAfterMs).toBe(2000)
    expect(e.message).toBe('prometheus prom query_range (query: up) failed: HTTP 503: token ***')
  })
})
