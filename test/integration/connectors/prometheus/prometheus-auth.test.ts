import { createServer, request, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HISTORY_TO, readError, readSource, usePrometheus } from './prom-test-server.js'

const { server } = usePrometheus()

/**
 * A tiny reverse proxy in front of the real server, as nginx would be: it forwards only requests
 * whose Authorization header is `expected`, and answers 401 to the others.
 */
function authProxy(
  expected: string,
): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = []
  const target = new URL(server().url)
  const proxy: Server = createServer((req, res) => {
    seen.push(req.headers.authorization ?? '')
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic' })
      // careless servers echo what they got: the connector must mask it
      res.end(`401 Unauthorized: got ${req.headers.authorization ?? 'nothing'}`)
      return
    }
    const fwd = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      },
    )
    req.pipe(fwd)
  })
  return new Promise((resolve) => {
    proxy.listen(0, '127.0.0.1', () => {
      const addr = proxy.address() as { port: number }
      resolve({
        url: `http://127.0.0.1:${addr.port}`,
        seen,
        close: () => new Promise((r) => proxy.close(() => r())),
      })
    })
  })
}

const instant = { prometheus: { type: 'instant', query: 'sluice_test_gauge', time: HISTORY_TO } }

describe('prometheus auth (through a checking proxy in front of the real server)', () => {
  let basic: Awaited<ReturnType<typeof authProxy>>
  let bearer: Awaited<ReturnType<typeof authProxy>>
  beforeAll(async () => {
    basic = await authProxy(`Basic ${Buffer.from('reader:pa ss:wörd').toString('base64')}`)
    bearer = await authProxy('Bearer tok-123456')
  })
  afterAll(async () => {
    await basic.close()
    await bearer.close()
  })

  it('sends basic auth from username/password options', async () => {
    const r = await readSource(basic.url, instant, {
      connection: { username: 'reader', password: 'pa ss:wörd' },
    })
    expect(r.rows).toHaveLength(2)
    expect(basic.seen.at(-1)).toMatch(/^Basic /)
  })

  it('sends basic auth from credentials in the url (fetch refuses them in the URL itself)', async () => {
    const u = new URL(basic.url)
    u.username = 'reader'
    u.password = encodeURIComponent('pa ss:wörd')
    const r = await readSource(u.toString(), { prometheus: { type: 'metadata', metric: 'up' } })
    expect(r.schema.columns[0]!.name).toBe('metric')
  })

  it('sends a bearer token (range query chunks and series too)', async () => {
    const before = bearer.seen.length
    const r = await readSource(
      bearer.url,
      {
        prometheus: {
          query: 'sluice_test_gauge',
          start: HISTORY_TO - 600,
          end: HISTORY_TO,
          step: '1m',
          chunk_points: 3,
        },
      },
      { connection: { token: 'tok-123456' } },
    )
    expect(r.rows).toHaveLength(22)
    // schema pass + read pass, 4 requests each
    expect(bearer.seen.slice(before)).toEqual(Array(8).fill('Bearer tok-123456'))
    const s = await readSource(
      bearer.url,
      { prometheus: { type: 'series', match: ['up'] } },
      {
        connection: { token: 'tok-123456' },
      },
    )
    expect(s.rows.length).toBeGreaterThan(0)
  })

  it('wrong or missing credentials fail with E_PROMETHEUS_AUTH, never showing the secret', async () => {
    for (const connection of [
      {},
      { token: 'wrong-token' },
      { username: 'reader', password: 'bad-password' },
    ]) {
      const err = await readError(bearer.url, instant, { connection })
      expect(err.code).toBe('E_PROMETHEUS_AUTH')
      expect(err.retryable).toBe(false)
      expect(err.message).toContain('HTTP 401')
      expect(err.message).toContain('query: sluice_test_gauge')
      expect(err.message).toMatch(/401 Unauthorized: got (nothing|Bearer \*\*\*|Basic \*\*\*)/)
      expect(`${err.message} ${err.hint}`).not.toMatch(
        /wrong-token|bad-password|cmVhZGVyOmJhZC1wYXNzd29yZA/,
      )
    }
  })
})
