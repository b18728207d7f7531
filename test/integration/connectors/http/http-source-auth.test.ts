import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpSource } from '../../../../src/connectors/http/http-source.js'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import type { ReadContext } from '../../../../src/data/connector-contract.js'
import { readContext, sendJson, startApiServer, type ApiServer } from './api-test-server.js'

// Each auth kind against a server that checks it; an OAuth2 token endpoint that counts token
// requests and expires tokens after 2 s; the shared rate limit measured on the server.
let api: ApiServer
const tokens = new Map<string, number>() // token → expiry (ms, performance.now)
let tokenRequests = 0
let expiredUses = 0

beforeAll(async () => {
  api = await startApiServer((req, res) => {
    const h = req.headers
    const deny = () => sendJson(res, { error: `denied: ${String(h.authorization)}` }, 401)
    const page = Number(req.url.searchParams.get('page') ?? '1')
    const ok = () => sendJson(res, page <= 3 ? [{ id: page }] : [])
    switch (req.url.pathname) {
      case '/bearer':
        return h.authorization === 'Bearer s3cret-token' ? ok() : deny()
      case '/basic':
        return h.authorization === `Basic ${Buffer.from('ann:p@ss:word').toString('base64')}`
          ? ok()
          : deny()
      case '/key-header':
        return h['x-token'] === 'key-in-header' ? ok() : deny()
      case '/key-query':
        return req.url.searchParams.get('api_key') === 'key-in-query' ? ok() : deny()
      case '/token': {
        tokenRequests++
        const form = new URLSearchParams(req.body)
        const basic = `Basic ${Buffer.from('client-1:client-secret').toString('base64')}`
        if (form.get('grant_type') !== 'client_credentials' || h.authorization !== basic)
          return sendJson(res, { error: 'invalid_client' }, 401)
        const token = `tok-${tokenRequests}-${Math.random().toString(36).slice(2)}`
        tokens.set(token, performance.now() + 2000)
        return sendJson(res, { access_token: token, token_type: 'Bearer', expires_in: 2 })
      }
      case '/revoke':
        tokens.clear()
        return sendJson(res, {})
      case '/oauth': {
        const t = /^Bearer (.+)$/.exec(h.authorization ?? '')?.[1]
        const exp = t === undefined ? undefined : tokens.get(t)
        if (exp === undefined) return deny()
        if (exp < performance.now()) {
          expiredUses++
          return deny()
        }
        return sendJson(res, page <= 30 ? [{ id: page }] : [])
      }
      case '/elsewhere':
        return sendJson(res, {
          items: [{ id: 1 }],
          next: `${String(req.url.searchParams.get('to'))}/p2`,
        })
      case '/limited':
        return sendJson(res, page <= 20 ? [{ id: page }] : [])
      default:
        return sendJson(res, {}, 404)
    }
  })
})
afterAll(async () => {
  await api.close()
})

async function count(source: HttpSource, ctx: ReadContext = readContext()): Promise<number> {
  let n = 0
  await source.schema(ctx)
  for await (const b of source.read(ctx)) n += b.rows.length
  return n
}

const src = (auth: unknown, path: string, extra: Record<string, unknown> = {}) =>
  new HttpSource(
    { name: `api-${path}`, url: api.url, options: { auth, ...extra } },
    { http: { path, pagination: { type: 'page' } } },
  )

describe('http source auth', () => {
  it('bearer', async () => {
    expect(await count(src({ type: 'bearer', token: 's3cret-token' }, '/bearer'))).toBe(3)
  })

  it('basic', async () => {
    const auth = { type: 'basic', username: 'ann', password: 'p@ss:word' }
    expect(await count(src(auth, '/basic'))).toBe(3)
  })

  it('api_key in a header', async () => {
    const auth = { type: 'api_key', key: 'key-in-header', name: 'X-Token' }
    expect(await count(src(auth, '/key-header'))).toBe(3)
  })

  it('api_key in the query; the key is masked in errors', async () => {
    const auth = { type: 'api_key', key: 'key-in-query', name: 'api_key', in: 'query' }
    expect(await count(src(auth, '/key-query'))).toBe(3)
    const err = (await count(src(auth, '/nowhere')).catch((e: unknown) => e)) as SluiceError
    expect(err.code).toBe('E_HTTP_STATUS')
    expect(err.message).toContain('/nowhere')
    expect(err.message).not.toContain('key-in-query')
  })

  it('a refused credential fails with E_HTTP_AUTH and never shows the secret', async () => {
    const err = (await count(src({ type: 'bearer', token: 'wrong-token-xyz' }, '/bearer')).catch(
      (e: unknown) => e,
    )) as SluiceError
    expect(err).toBeInstanceOf(SluiceError)
    expect(err.code).toBe('E_HTTP_AUTH')
    expect(err.retryable).toBe(false)
    // the server echoed the Authorization header into its body: masked
    expect(err.message).toMatch(/answered 401: \{"error":"denied: Bearer \*\*\*"\}/)
    expect(err.message).not.toContain('wrong-token-xyz')
  })

  it('oauth2 client credentials: cached, refreshed before expiry, never used expired', async () => {
    const auth = {
      type: 'oauth2_client_credentials',
      token_url: `${api.url}/token`,
      client_id: 'client-1',
      client_secret: 'client-secret',
    }
    tokenRequests = 0
    expiredUses = 0
    // 31 requests at 10/s ≈ 3 s with tokens living 2 s (refreshed after half their life)
    const started = performance.now()
    const n = await count(src(auth, '/oauth', { rate_limit: 10 }))
    const took = performance.now() - started
    expect(n).toBe(30)
    expect(took).toBeGreaterThan(2900)
    expect(expiredUses).toBe(0)
    expect(api.to('/oauth').length).toBe(31)
    // one token per ~1 s of the ~3 s read: cached, not one per request
    expect(tokenRequests).toBeGreaterThanOrEqual(3)
    expect(tokenRequests).toBeLessThanOrEqual(5)
    // a second source on the same credentials within the token's life reuses it
    const before = tokenRequests
    const again = new HttpSource(
      { name: 'other', url: api.url, options: { auth } },
      { http: { path: '/oauth', params: { page: 30 } } },
    )
    expect(await count(again)).toBe(1)
    expect(tokenRequests).toBe(before)
  })

  it('oauth2: a 401 with a revoked token fetches a new one and retries once', async () => {
    const auth = {
      type: 'oauth2_client_credentials',
      token_url: `${api.url}/token`,
      client_id: 'client-1',
      client_secret: 'client-secret',
      scope: 'revoked-test',
    }
    const ctx = readContext()
    const first = new HttpSource(
      { name: 'o', url: api.url, options: { auth } },
      { http: { path: '/oauth', params: { page: 1 } } },
    )
    expect(await count(first, ctx)).toBe(1)
    const before = tokenRequests
    await fetch(`${api.url}/revoke`)
    const second = new HttpSource(
      { name: 'o', url: api.url, options: { auth } },
      { http: { path: '/oauth', params: { page: 2 } } },
    )
    expect(await count(second, ctx)).toBe(1)
    expect(tokenRequests).toBe(before + 1)
    expect(ctx.logs.some((l) => /401: fetching a new OAuth2 token/.test(l))).toBe(true)
  })

  it('oauth2: a refused client fails with E_HTTP_AUTH, the secret masked', async () => {
    const auth = {
      type: 'oauth2_client_credentials',
      token_url: `${api.url}/token`,
      client_id: 'client-1',
      client_secret: 'not-the-secret',
    }
    const err = (await count(src(auth, '/oauth')).catch((e: unknown) => e)) as SluiceError
    expect(err.code).toBe('E_HTTP_AUTH')
    expect(err.message).toMatch(/token endpoint .* answered 401/)
    expect(err.message).not.toContain('not-the-secret')
  })
})

describe('credentials stay on their origin', () => {
  it('a next URL on another host is requested without the Authorization header', async () => {
    const other = await startApiServer((_req, res) =>
      sendJson(res, { items: [{ id: 2 }], next: null }),
    )
    try {
      const s = new HttpSource(
        { name: 'o', url: api.url, options: { auth: { type: 'bearer', token: 's3cret-token' } } },
        {
          http: {
            path: '/elsewhere',
            params: { to: other.url },
            records: 'items',
            pagination: { type: 'next_url', next_url_path: 'next' },
          },
        },
      )
      const ctx = readContext()
      expect(await count(s, ctx)).toBe(2)
      expect(api.to('/elsewhere')[0]!.headers.authorization).toBe('Bearer s3cret-token')
      expect(other.to('/p2')[0]!.headers.authorization).toBeUndefined()
      expect(ctx.logs.some((l) => /sent without credentials/.test(l))).toBe(true)
    } finally {
      await other.close()
    }
  })
})

describe('http rate limit', () => {
  it('21 requests at 10 rps take >= 1.9 s, measured on the server', async () => {
    const before = api.to('/limited').length
    const n = await count(src(undefined, '/limited', { rate_limit: 10 }))
    expect(n).toBe(20)
    const seen = api.to('/limited').slice(before)
    expect(seen).toHaveLength(21)
    const span = seen.at(-1)!.at - seen[0]!.at
    expect(span).toBeGreaterThanOrEqual(1950)
    expect(span).toBeLessThan(5000)
  })

  it('is shared by every source of the same connection in the process', async () => {
    const before = api.to('/limited').length
    const make = () =>
      new HttpSource(
        { name: 'shared', url: api.url, options: { rate_limit: { requests_per_second: 10 } } },
        { http: { path: '/limited', params: { page: 1 } } },
      )
    const started = performance.now()
    const counts = await Promise.all(Array.from({ length: 20 }, () => count(make())))
    expect(counts.every((c) => c === 1)).toBe(true)
    const seen = api.to('/limited').slice(before)
    expect(seen).toHaveLength(20)
    const span = seen.at(-1)!.at - seen[0]!.at
    expect(span).toBeGreaterThanOrEqual(1850)
    expect(performance.now() - started).toBeGreaterThanOrEqual(1850)
  })
})
