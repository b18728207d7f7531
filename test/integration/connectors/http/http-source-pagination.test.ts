import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Value } from '../../../../src/data/column-type.js'
import type { ReadContext } from '../../../../src/data/connector-contract.js'
import { HttpSource } from '../../../../src/connectors/http/http-source.js'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import {
  makeRecords,
  readContext,
  sendJson,
  startApiServer,
  type ApiServer,
} from './api-test-server.js'

// A real node:http server paginating in every style; the source must yield each record once.
const ALL = makeRecords(95)
let api: ApiServer
const dropped = new Set<string>()
const failures = new Map<string, number>()

beforeAll(async () => {
  api = await startApiServer((req, res) => {
    const q = req.url.searchParams
    const int = (k: string, d: number) => (q.has(k) ? Number(q.get(k)) : d)
    switch (req.url.pathname) {
      case '/offset': {
        const off = int('offset', 0)
        return sendJson(res, { data: { items: ALL.slice(off, off + int('limit', 100)) } })
      }
      case '/page': {
        const size = int('per_page', 10)
        const p = int('p', 1)
        return sendJson(res, ALL.slice((p - 1) * size, p * size))
      }
      case '/cursor': {
        const start = q.has('cursor') ? Number(Buffer.from(q.get('cursor')!, 'base64url')) : 0
        const next =
          start + 20 < ALL.length ? Buffer.from(String(start + 20)).toString('base64url') : null
        return sendJson(res, { data: ALL.slice(start, start + 20), meta: { next_cursor: next } })
      }
      case '/link': {
        const after = int('after', 0)
        const links = [`<${api.url}/other>; rel="prev"`]
        if (after + 25 < ALL.length) links.push(`</link?after=${after + 25}>; rel="next"`)
        return sendJson(res, ALL.slice(after, after + 25), 200, { link: links.join(', ') })
      }
      case '/next': {
        const start = int('start', 0)
        const next = start + 30 < ALL.length ? `next?start=${start + 30}` : null
        return sendJson(res, { results: ALL.slice(start, start + 30), links: { next } })
      }
      case '/loop': {
        // a buggy API: the third page hands out the cursor of the second again
        const c = q.get('cursor')
        const next = c === null ? 'a' : c === 'a' ? 'b' : 'a'
        return sendJson(res, { data: [{ id: c ?? 'first' }], next })
      }
      case '/endless': {
        const n = int('page', 1)
        return sendJson(res, [{ id: n }])
      }
      case '/flaky': {
        // each page fails with 500 twice, then answers
        const key = `flaky ${req.url.search}`
        const seen = failures.get(key) ?? 0
        failures.set(key, seen + 1)
        if (seen < 2) return sendJson(res, { error: 'boom' }, 500)
        const off = int('offset', 0)
        return sendJson(res, ALL.slice(off, off + 40))
      }
      case '/throttled': {
        const key = `429 ${req.url.search}`
        if (!failures.has(key)) {
          failures.set(key, 1)
          return sendJson(res, { error: 'slow down' }, 429, { 'retry-after': '1' })
        }
        const off = int('offset', 0)
        return sendJson(res, ALL.slice(off, off + 50))
      }
      case '/unavailable': {
        const key = `503 ${req.url.search}`
        if (!failures.has(key)) {
          failures.set(key, 1)
          const at = new Date(Date.now() + 2000).toUTCString()
          return sendJson(res, { error: 'maintenance' }, 503, { 'retry-after': at })
        }
        return sendJson(res, ALL.slice(0, 10))
      }
      case '/drop': {
        // the second page is cut off mid-body once (chunked, then the socket is destroyed)
        const off = int('offset', 0)
        const text = JSON.stringify(ALL.slice(off, off + 40))
        if (off === 40 && !dropped.has(req.url.search)) {
          dropped.add(req.url.search)
          res.writeHead(200, { 'content-type': 'application/json' })
          res.write(text.slice(0, 200))
          setTimeout(() => res.socket?.destroy(), 20)
          return
        }
        return sendJson(res, JSON.parse(text))
      }
      case '/typed':
        return sendJson(res, [
          { id: 1, at: '2026-01-01T10:00:00+01:00' },
          { id: 'two', at: '2026-01-02T00:00:00Z' },
          { id: 3, at: 'yesterday', extra: true },
          { id: 4, at: null, more: 1 },
        ])
      case '/grow': {
        const page = int('page', 1)
        const pages = [[{ id: 1 }], [{ id: 2, new_key: 'x', other: 1 }], [{ id: 3, new_key: 'y' }]]
        return sendJson(res, pages[page - 1] ?? [])
      }
      case '/not-json':
        res.writeHead(200, { 'content-type': 'text/html' })
        return void res.end('<html>login</html>')
      case '/missing':
        return sendJson(res, { error: 'no such thing' }, 404)
      default:
        return sendJson(res, { error: 'unknown route' }, 404)
    }
  })
})
afterAll(async () => {
  await api.close()
})

const conn = (options: Record<string, unknown> = {}) => ({
  name: 'api',
  url: api.url,
  options: { retries: { initial_delay: '10ms', max_delay: '50ms' }, ...options },
})

async function readAll(
  source: HttpSource,
  ctx: ReadContext = readContext(),
): Promise<{ rows: Value[][]; names: string[] }> {
  const schema = await source.schema(ctx)
  const rows: Value[][] = []
  for await (const b of source.read(ctx)) rows.push(...b.rows.map((r) => [...r]))
  return { rows, names: schema.columns.map((c) => c.name) }
}

const ids = (r: { rows: Value[][]; names: string[] }) =>
  r.rows.map((row) => row[r.names.indexOf('id')])
const expectedIds = ALL.map((r) => BigInt(r.id as number))

describe('http source pagination', () => {
  it('offset: reads every record once, typed from the first page', async () => {
    const before = api.to('/offset').length
    const s = new HttpSource(conn(), {
      http: {
        path: '/offset',
        records: '$.data.items',
        pagination: { type: 'offset', limit: 20 },
      },
    })
    const ctx = readContext()
    const schema = await s.schema(ctx)
    expect(schema.columns.map((c) => [c.name, c.type.kind])).toEqual([
      ['id', 'int64'],
      ['name', 'string'],
      ['score', 'float64'],
      ['active', 'boolean'],
      ['tags', 'json'],
      ['updated_at', 'string'],
    ])
    const r = await readAll(s, ctx)
    expect(ids(r)).toEqual(expectedIds)
    expect(r.rows[0]).toEqual([1n, 'name 1', 1.5, true, '["t",0]', '2026-01-01T00:00:00.000Z'])
    // 95 records, 20 per page: 5 pages, the last one short; the first page is fetched once
    const seen = api.to('/offset').slice(before)
    expect(seen.map((q) => q.url.searchParams.get('offset'))).toEqual(['0', '20', '40', '60', '80'])
    expect(seen.every((q) => q.url.searchParams.get('limit') === '20')).toBe(true)
  })

  it('page: numbered pages with a size parameter, until a short page', async () => {
    const s = new HttpSource(conn(), {
      http: {
        path: '/page',
        pagination: { type: 'page', page_param: 'p', size_param: 'per_page', size: 10 },
      },
    })
    const before = api.to('/page').length
    expect(ids(await readAll(s))).toEqual(expectedIds)
    expect(api.to('/page').length - before).toBe(10)
  })

  it('page without size: stops at the first empty page', async () => {
    const s = new HttpSource(conn(), {
      http: { path: '/page', pagination: { type: 'page', page_param: 'p' } },
    })
    const before = api.to('/page').length
    expect(ids(await readAll(s))).toEqual(expectedIds)
    expect(api.to('/page').length - before).toBe(11)
  })

  it('cursor: from a JSON path in the body, sent back as a parameter', async () => {
    const s = new HttpSource(conn(), {
      http: {
        path: '/cursor',
        records: 'data',
        pagination: { type: 'cursor', cursor_path: '$.meta.next_cursor' },
      },
    })
    expect(ids(await readAll(s))).toEqual(expectedIds)
  })

  it('link_header: follows rel="next" (relative) among other relations', async () => {
    const s = new HttpSource(conn(), {
      http: { path: '/link', pagination: { type: 'link_header' } },
    })
    const before = api.to('/link').length
    expect(ids(await readAll(s))).toEqual(expectedIds)
    expect(api.to('/link').length - before).toBe(4)
  })

  it('next_url: a JSON path holding the next (relative) URL', async () => {
    const s = new HttpSource(conn(), {
      http: {
        path: '/next',
        records: '$.results[*]',
        pagination: { type: 'next_url', next_url_path: '$.links.next' },
      },
    })
    expect(ids(await readAll(s))).toEqual(expectedIds)
  })

  it('a repeated cursor stops with E_HTTP_PAGINATION_LOOP', async () => {
    const s = new HttpSource(conn(), {
      columns: { id: 'string' },
      http: {
        path: '/loop',
        records: '$.data',
        pagination: { type: 'cursor', cursor_path: 'next' },
      },
    })
    const err = await readAll(s).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SluiceError)
    expect((err as SluiceError).code).toBe('E_HTTP_PAGINATION_LOOP')
    expect((err as SluiceError).message).toMatch(/cursor of a page already read \(a\)/)
  })

  it('max_pages guards an endless API', async () => {
    const s = new HttpSource(conn(), {
      http: { path: '/endless', max_pages: 7, pagination: { type: 'page' } },
    })
    const before = api.to('/endless').length
    const err = (await readAll(s).catch((e: unknown) => e)) as SluiceError
    expect(err.code).toBe('E_HTTP_PAGINATION_LOOP')
    expect(err.message).toMatch(/max_pages 7/)
    expect(api.to('/endless').length - before).toBe(7)
  })
})

describe('http source retries', () => {
  it('500 twice on every page, then success: all records once', async () => {
    const s = new HttpSource(conn(), {
      http: { path: '/flaky', pagination: { type: 'offset', limit: 40 } },
    })
    const ctx = readContext()
    expect(ids(await readAll(s, ctx))).toEqual(expectedIds)
    expect(api.to('/flaky').length).toBe(9)
    expect(ctx.logs.filter((l) => /answered 500; retry/.test(l))).toHaveLength(6)
  })

  it('500 more times than max_attempts: a retryable E_NETWORK', async () => {
    failures.clear()
    const s = new HttpSource(conn({ retries: { max_attempts: 2, initial_delay: '10ms' } }), {
      http: { path: '/flaky', pagination: { type: 'offset', limit: 40 } },
    })
    const err = (await readAll(s).catch((e: unknown) => e)) as SluiceError
    expect(err.code).toBe('E_NETWORK')
    expect(err.retryable).toBe(true)
    expect(err.message).toMatch(/answered 500 after 2 attempt/)
  })

  it('429 with Retry-After in seconds is honoured', async () => {
    const s = new HttpSource(conn(), {
      http: { path: '/throttled', pagination: { type: 'offset', limit: 50 } },
    })
    const r = await readAll(s)
    expect(ids(r)).toEqual(expectedIds)
    const seen = api.to('/throttled')
    expect(seen).toHaveLength(4) // 95 = 50 + 45: two pages, each answered 429 once
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950)
  })

  it('503 with Retry-After as an HTTP date is honoured', async () => {
    const s = new HttpSource(conn(), { http: { path: '/unavailable' } })
    const r = await readAll(s)
    expect(r.rows).toHaveLength(10)
    const seen = api.to('/unavailable')
    expect(seen).toHaveLength(2)
    // the date has second precision: more than 1 s of the 2 s asked
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(900)
  })

  it('a connection dropped mid-body is retried; no record lost or doubled', async () => {
    const s = new HttpSource(conn(), {
      http: { path: '/drop', pagination: { type: 'offset', limit: 40 } },
    })
    const ctx = readContext()
    expect(ids(await readAll(s, ctx))).toEqual(expectedIds)
    expect(api.to('/drop').filter((q) => q.url.searchParams.get('offset') === '40')).toHaveLength(2)
    expect(ctx.logs.some((l) => /retry 1\/4/.test(l))).toBe(true)
  })

  it('a 404 fails at once, not retried, with the status and body', async () => {
    const before = api.to('/missing').length
    const s = new HttpSource(conn(), { http: { path: '/missing' } })
    const err = (await readAll(s).catch((e: unknown) => e)) as SluiceError
    expect(err.code).toBe('E_HTTP_STATUS')
    expect(err.retryable).toBe(false)
    expect(err.message).toMatch(/answered 404: \{"error":"no such thing"\}/)
    expect(api.to('/missing').length - before).toBe(1)
  })

  it('a body that is not JSON fails clearly', async () => {
    const s = new HttpSource(conn(), { http: { path: '/not-json' } })
    const err = (await readAll(s).catch((e: unknown) => e)) as SluiceError
    expect(err.code).toBe('E_HTTP_RESPONSE')
    expect(err.message).toMatch(/did not answer JSON \(text\/html\)/)
  })

  it('declared columns: values converted; a bad value fails, or is quarantined with its page', async () => {
    const opts = { columns: { id: 'int64', at: 'timestamptz' }, http: { path: '/typed' } }
    const err = (await readAll(new HttpSource(conn(), opts)).catch(
      (e: unknown) => e,
    )) as SluiceError
    expect(err.code).toBe('E_HTTP_RESPONSE')
    expect(err.message).toMatch(/record 2 of page 1 .*column id: "two" is not a int64/)
    const s = new HttpSource(conn(), { ...opts, on_error: 'quarantine' })
    const r = await readAll(s)
    expect(r.rows).toEqual([
      [1n, '2026-01-01T09:00:00Z'],
      [4n, null],
    ])
    expect(s.rejects().map((x) => [x.file, x.line, x.reason])).toEqual([
      [`${api.url}/typed`, 2, 'column id: "two" is not a int64'],
      [`${api.url}/typed`, 3, 'column at: "yesterday" is not a timestamptz'],
    ])
    expect(JSON.parse(s.rejects()[1]!.raw)).toEqual({ id: 3, at: 'yesterday', extra: true })
  })

  it('inferred columns: keys first seen on a later page are ignored with one log line', async () => {
    const s = new HttpSource(conn(), { http: { path: '/grow', pagination: { type: 'page' } } })
    const ctx = readContext()
    const r = await readAll(s, ctx)
    expect(r.names).toEqual(['id'])
    expect(r.rows).toEqual([[1n], [2n], [3n]])
    const lines = ctx.logs.filter((l) => /ignoring keys/.test(l))
    expect(lines).toEqual([
      'ignoring keys not in the columns inferred from the first page: new_key, other (declare them under columns: to keep them)',
    ])
  })
})
