import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpDestination } from '../../../../src/connectors/http/http-destination.js'
import type { SluiceError } from '../../../../src/core/sluice-error.js'
import type { TableSchema, Value } from '../../../../src/data/column-type.js'
import type { WriteContext } from '../../../../src/data/connector-contract.js'
import type { RowBatch } from '../../../../src/data/row-batch.js'
import { sendJson, startApiServer, type ApiServer } from './api-test-server.js'

// Batches POSTed to a real server: idempotency keys, retries on 503, 4xx batches as dead letters.
let api: ApiServer
const failedOnce = new Set<string>()

beforeAll(async () => {
  api = await startApiServer((req, res) => {
    const key = String(req.headers['idempotency-key'] ?? '')
    switch (req.url.pathname.replace(/^\/v1/, '')) {
      case '/ingest':
        return sendJson(res, { ok: true }, 202)
      case '/flaky':
        if (!failedOnce.has(key)) {
          failedOnce.add(key)
          return sendJson(res, { error: 'busy' }, 503, { 'retry-after': '0' })
        }
        return sendJson(res, { ok: true })
      case '/strict': {
        const rows = JSON.parse(req.body) as { name: string }[]
        if (rows.some((r) => r.name === 'bad'))
          return sendJson(res, { error: 'name must not be bad' }, 422)
        return sendJson(res, { ok: true })
      }
      case '/private':
        return sendJson(res, { error: 'who are you' }, 401)
      default:
        return sendJson(res, {}, 404)
    }
  })
})
afterAll(async () => {
  await api.close()
})

const schema: TableSchema = {
  columns: [
    { name: 'id', type: { kind: 'int64' }, nullable: false },
    { name: 'name', type: { kind: 'string' }, nullable: true },
    { name: 'price', type: { kind: 'decimal', precision: 10, scale: 2 }, nullable: true },
    { name: 'meta', type: { kind: 'json' }, nullable: true },
    { name: 'at', type: { kind: 'timestamptz' }, nullable: true },
  ],
}

function rows(n: number, name = (i: number) => `row ${i}`): Value[][] {
  return Array.from({ length: n }, (_, i) => [
    BigInt(i + 1) + (i === 0 ? 9007199254740992n : 0n),
    name(i + 1),
    '12.50',
    i % 2 === 0 ? '{"a":[1,2]}' : null,
    '2026-01-01T00:00:00.000001Z',
  ])
}

async function* batches(all: Value[][], size = 300): AsyncIterable<RowBatch> {
  for (let i = 0; i < all.length; i += size) {
    await Promise.resolve()
    yield { schema, rows: all.slice(i, i + size) }
  }
}

function ctx(over: Partial<WriteContext> = {}): WriteContext & { logs: string[] } {
  const logs: string[] = []
  return {
    signal: new AbortController().signal,
    schema,
    mode: 'append',
    log: (t) => logs.push(t),
    logs,
    ...over,
  }
}

const dest = (http: Record<string, unknown>, options: Record<string, unknown> = {}) =>
  new HttpDestination(
    {
      name: 'hook',
      url: `${api.url}/v1`,
      options: { retries: { initial_delay: '10ms' }, headers: { 'X-Team': 'data' }, ...options },
    },
    { connection: 'hook', http },
  )

describe('http destination', () => {
  it('POSTs JSON array batches with deterministic idempotency keys; int64 stays exact', async () => {
    const before = api.to('/v1/ingest').length
    const d = dest({ path: 'ingest', batch_size: 500 })
    const result = await d.write(ctx(), batches(rows(1234)))
    expect(result).toEqual({ rowsWritten: 1234, rowsRejected: 0 })
    const seen = api.to('/v1/ingest').slice(before)
    expect(seen.map((r) => (JSON.parse(r.body) as unknown[]).length)).toEqual([500, 500, 234])
    expect(seen.every((r) => r.headers['content-type'] === 'application/json')).toBe(true)
    expect(seen.every((r) => r.headers['x-team'] === 'data')).toBe(true)
    const keys = seen.map((r) => r.headers['idempotency-key'])
    expect(new Set(keys).size).toBe(3)
    expect(keys.every((k) => /^[0-9a-f]{64}$/.test(String(k)))).toBe(true)
    expect(
      seen[0]!.body.startsWith(
        '[{"id":9007199254740993,"name":"row 1","price":"12.50","meta":{"a":[1,2]},"at":"2026-01-01T00:00:00.000001Z"}',
      ),
    ).toBe(true)
    // the same rows sent again carry the same keys (a rerun is recognisable by the server)
    await dest({ path: 'ingest', batch_size: 500 }).write(ctx(), batches(rows(1234), 77))
    expect(
      api
        .to('/v1/ingest')
        .slice(before + 3)
        .map((r) => r.headers['idempotency-key']),
    ).toEqual(keys)
  })

  it('JSONL in an own header name; an envelope wraps JSON arrays', async () => {
    const before = api.to('/v1/ingest').length
    await dest({ path: '/ingest', format: 'jsonl', idempotency_header: 'X-Batch-Id' }).write(
      ctx(),
      batches(rows(3)),
    )
    await dest({ path: '/ingest', envelope: 'records', idempotency_header: false }).write(
      ctx(),
      batches(rows(2)),
    )
    const [jsonl, env] = api.to('/v1/ingest').slice(before)
    expect(jsonl!.headers['content-type']).toBe('application/x-ndjson')
    expect(jsonl!.headers['x-batch-id']).toMatch(/^[0-9a-f]{64}$/)
    expect(
      jsonl!.body
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { name: string }).name),
    ).toEqual(['row 1', 'row 2', 'row 3'])
    expect((JSON.parse(env!.body) as { records: unknown[] }).records).toHaveLength(2)
    expect(env!.headers['idempotency-key']).toBeUndefined()
  })

  it('a 503 is retried with the same idempotency key; every row written once', async () => {
    const d = dest({ path: 'flaky', batch_size: 100 })
    const c = ctx()
    const result = await d.write(c, batches(rows(250)))
    expect(result.rowsWritten).toBe(250)
    const seen = api.to('/v1/flaky')
    expect(seen).toHaveLength(6)
    const keys = seen.map((r) => r.headers['idempotency-key'])
    expect(keys[0]).toBe(keys[1])
    expect(keys[2]).toBe(keys[3])
    expect(new Set(keys).size).toBe(3)
    expect(c.logs.filter((l) => /answered 503/.test(l))).toHaveLength(3)
  })

  it('a batch refused with 422 becomes rejected rows when rejects are on', async () => {
    const d = dest({ path: 'strict', batch_size: 10 })
    const all = rows(35, (i) => (i === 17 ? 'bad' : `row ${i}`))
    const result = await d.write(ctx({ rejects: { max: 100 } }), batches(all, 7))
    expect(result.rowsWritten).toBe(25)
    expect(result.rowsRejected).toBe(10)
    expect(result.rejected!.map((r) => r.line)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
    const r = result.rejected![6]!
    expect(r.file).toBe(`${api.url}/v1/strict`)
    expect(r.reason).toBe('422: {"error":"name must not be bad"}')
    expect(JSON.parse(r.raw)).toMatchObject({ id: 17, name: 'bad' })
  })

  it('without rejects a refused batch fails the load clearly', async () => {
    const d = dest({ path: 'strict', batch_size: 10 })
    const all = rows(20, (i) => (i === 3 ? 'bad' : `row ${i}`))
    const err = (await d.write(ctx(), batches(all)).catch((e: unknown) => e)) as SluiceError
    expect(err.code).toBe('E_HTTP_STATUS')
    expect(err.message).toMatch(/answered 422.*\(batch 1, rows 1-10\)/)
    expect(err.hint).toMatch(/on_error: skip \| quarantine/)
  })

  it('more refused rows than max fail with E_ROWS_REJECTED', async () => {
    const d = dest({ path: 'strict', batch_size: 10 })
    const all = rows(20, (i) => (i === 3 ? 'bad' : `row ${i}`))
    const err = (await d
      .write(ctx({ rejects: { max: 5 } }), batches(all))
      .catch((e: unknown) => e)) as SluiceError
    expect(err.code).toBe('E_ROWS_REJECTED')
  })

  it('a 401 fails even with rejects on: the credentials are wrong, not the rows', async () => {
    const d = dest({ path: 'private' }, { auth: { type: 'bearer', token: 'tok-secret-1' } })
    const err = (await d
      .write(ctx({ rejects: { max: 100 } }), batches(rows(3)))
      .catch((e: unknown) => e)) as SluiceError
    expect(err.code).toBe('E_HTTP_AUTH')
    expect(err.message).not.toContain('tok-secret-1')
  })

  it('modes other than append are refused', async () => {
    const err = (await dest({ path: 'ingest' })
      .write(ctx({ mode: 'merge' }), batches(rows(1)))
      .catch((e: unknown) => e)) as SluiceError
    expect(err.code).toBe('E_SCHEMA_VALUE')
    expect(err.message).toMatch(/mode merge is not supported/)
  })
})
