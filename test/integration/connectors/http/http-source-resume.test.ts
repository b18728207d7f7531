import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpSource } from '../../../../src/connectors/http/http-source.js'
import type { SluiceError } from '../../../../src/core/sluice-error.js'
import type { JsonValue, ReadContext } from '../../../../src/data/connector-contract.js'
import type { Value } from '../../../../src/data/column-type.js'
import {
  makeRecords,
  readContext,
  sendJson,
  startApiServer,
  type ApiServer,
} from './api-test-server.js'

// Page checkpoints (a resumed read starts at the page it stopped at) and the watermark parameter.
const ALL = makeRecords(50)
let api: ApiServer
let failPage3 = true

beforeAll(async () => {
  api = await startApiServer((req, res) => {
    const q = req.url.searchParams
    switch (req.url.pathname) {
      case '/pages': {
        const page = Number(q.get('page') ?? '1')
        if (page === 3 && failPage3) return sendJson(res, { error: 'bad page' }, 400)
        return sendJson(res, { items: ALL.slice((page - 1) * 10, page * 10) })
      }
      case '/changes': {
        const since = q.get('updated_since')
        const rows = ALL.filter((r) => since === null || (r.updated_at as string) > since)
        const off = Number(q.get('offset') ?? '0')
        return sendJson(res, rows.slice(off, off + 20))
      }
      default:
        return sendJson(res, {}, 404)
    }
  })
})
afterAll(async () => {
  await api.close()
})

const source = (opts: Record<string, unknown>) =>
  new HttpSource({ name: 'api', url: api.url, options: {} }, opts)

async function rows(s: HttpSource, ctx: ReadContext): Promise<Value[][]> {
  await s.schema(ctx)
  const out: Value[][] = []
  for await (const b of s.read(ctx)) out.push(...b.rows.map((r) => [...r]))
  return out
}

describe('http source checkpoints', () => {
  it('a read that failed on page 3 resumes at page 3 with the same checkpoint store', async () => {
    const store = new Map<string, JsonValue>()
    const opts = {
      http: {
        path: '/pages',
        records: 'items',
        checkpoint: true,
        pagination: { type: 'page', size: 10 },
      },
    }
    const got: Value[][] = []
    const first = source(opts)
    const ctx1 = readContext({ store })
    await first.schema(ctx1)
    const err = await (async () => {
      for await (const b of first.read(ctx1)) got.push(...b.rows.map((r) => [...r]))
    })().catch((e: unknown) => e)
    expect((err as SluiceError).code).toBe('E_HTTP_STATUS')
    expect((err as SluiceError).retryable).toBe(false)
    expect(got).toHaveLength(20)
    expect(store.get('source')).toMatchObject({ state: { page: 2, number: 3 } })

    failPage3 = false
    const before = api.to('/pages').length
    const ctx2 = readContext({ store })
    const second = source(opts)
    const rest = await rows(second, ctx2)
    const seen = api.to('/pages').slice(before)
    // pages 3, 4, 5 and the short/empty end: page 1 and 2 are not asked again (schema from the checkpoint)
    expect(seen.map((r) => r.url.searchParams.get('page'))).toEqual(['3', '4', '5', '6'])
    expect(ctx2.logs.some((l) => /resuming the http read at page 3/.test(l))).toBe(true)
    expect([...got, ...rest].map((r) => r[0])).toEqual(ALL.map((r) => BigInt(r.id as number)))
  })

  it('with checkpoint: false a saved checkpoint is ignored; the read starts at page 1', async () => {
    const store = new Map<string, JsonValue>([
      ['source', { state: { page: 4, number: 5 }, columns: [] }],
    ])
    const s = source({
      http: { path: '/pages', records: 'items', pagination: { type: 'page' }, checkpoint: false },
    })
    expect(s.checkpoints).toBe(false)
    expect(await rows(s, readContext({ store }))).toHaveLength(50)
  })
})

describe('http source incremental', () => {
  const opts = {
    incremental: { column: 'updated_at', initial: '2026-01-01T00:09:00.000Z' },
    http: {
      path: '/changes',
      incremental_param: 'updated_since',
      pagination: { type: 'offset', limit: 20 },
    },
  }

  it('sends the initial value, then the committed watermark; watermark() is the max seen', async () => {
    const before = api.to('/changes').length
    const s1 = source(opts)
    const r1 = await rows(s1, readContext())
    expect(r1).toHaveLength(40)
    const seen = api.to('/changes').slice(before)
    expect(
      seen.every((r) => r.url.searchParams.get('updated_since') === '2026-01-01T00:09:00.000Z'),
    ).toBe(true)
    expect(s1.watermark()).toBe('2026-01-01T00:49:00.000Z')

    const s2 = source(opts)
    const ctx = readContext({ since: '2026-01-01T00:44:00.000Z' })
    const r2 = await rows(s2, ctx)
    expect(r2.map((r) => r[0])).toEqual([46n, 47n, 48n, 49n, 50n])
    expect(api.requests.at(-1)!.url.searchParams.get('updated_since')).toBe(
      '2026-01-01T00:44:00.000Z',
    )
    expect(s2.watermark()).toBe('2026-01-01T00:49:00.000Z')

    // nothing new, no declared columns: no columns, no rows, the watermark stays
    const s3 = source(opts)
    const ctx3 = readContext({ since: '2026-01-01T00:49:00.000Z' })
    expect(await s3.schema(ctx3)).toEqual({ columns: [] })
    expect(await rows(s3, ctx3)).toEqual([])
    expect(s3.watermark()).toBe('2026-01-01T00:49:00.000Z')
    expect(ctx3.logs.some((l) => /has no records: no columns to infer/.test(l))).toBe(true)
  })

  it('with declared columns and nothing new, the watermark stays where it was', async () => {
    const s = source({ ...opts, columns: { id: 'int64', updated_at: 'timestamptz' } })
    const r = await rows(s, readContext({ since: '2026-01-01T00:49:00.000Z' }))
    expect(r).toEqual([])
    expect(s.watermark()).toBe('2026-01-01T00:49:00.000Z')
  })

  it('without incremental_param the records past the watermark are kept locally', async () => {
    const s = source({
      incremental: { column: 'id' },
      columns: { id: 'int64', updated_at: 'timestamp' },
      http: { path: '/changes', pagination: { type: 'offset', limit: 20 } },
    })
    const ctx = readContext({ since: 45 })
    const r = await rows(s, ctx)
    expect(r).toEqual([
      [46n, '2026-01-01T00:45:00.000'],
      [47n, '2026-01-01T00:46:00.000'],
      [48n, '2026-01-01T00:47:00.000'],
      [49n, '2026-01-01T00:48:00.000'],
      [50n, '2026-01-01T00:49:00.000'],
    ])
    expect(s.watermark()).toBe(50)
    expect(ctx.logs.some((l) => /no http.incremental_param/.test(l))).toBe(true)
  })
})
