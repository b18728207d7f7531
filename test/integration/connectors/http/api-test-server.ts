import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ReadContext, JsonValue } from '../../../../src/data/connector-contract.js'

export interface SeenRequest {
  readonly method: string
  readonly url: URL
  readonly headers: IncomingMessage['headers']
  readonly body: string
  readonly at: number
}

export type Handler = (
  req: SeenRequest,
  res: ServerResponse,
  raw: IncomingMessage,
) => void | Promise<void>

/** A real HTTP server on 127.0.0.1:0 for the http connector tests; records every request. */
export interface ApiServer {
  readonly url: string
  readonly requests: SeenRequest[]
  /** Requests to one path. */
  to(path: string): SeenRequest[]
  close(): Promise<void>
}

export async function startApiServer(handler: Handler): Promise<ApiServer> {
  const requests: SeenRequest[] = []
  const server = createServer((raw, res) => {
    const chunks: Buffer[] = []
    raw.on('data', (c: Buffer) => chunks.push(c))
    raw.on('end', () => {
      const seen: SeenRequest = {
        method: raw.method ?? 'GET',
        url: new URL(raw.url ?? '/', 'http://127.0.0.1'),
        headers: raw.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      }
      requests.push(seen)
      Promise.resolve(handler(seen, res, raw)).catch((e: unknown) => {
        res.statusCode = 599
        res.end(String(e))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    to: (path) => requests.filter((r) => r.url.pathname === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export function sendJson(
  res: ServerResponse,
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

/** `n` records: id, name, score, active, tags (an array), updated_at (ISO, one per minute). */
export function makeRecords(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    name: `name ${i + 1}`,
    score: (i + 1) * 1.5,
    active: i % 2 === 0,
    tags: ['t', i],
    updated_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
  }))
}

/** A ReadContext with an in-memory checkpoint store and captured log lines. */
export function readContext(
  opts: {
    store?: Map<string, JsonValue>
    since?: unknown
    batchRows?: number
    signal?: AbortSignal
  } = {},
): ReadContext & { logs: string[] } {
  const logs: string[] = []
  const store = opts.store ?? new Map<string, JsonValue>()
  return {
    signal: opts.signal ?? new AbortController().signal,
    batchRows: opts.batchRows ?? 10_000,
    ...(opts.since !== undefined && { since: opts.since }),
    checkpoint: {
      save: (v) => {
        store.set('source', v)
        return Promise.resolve()
      },
      load: () => Promise.resolve(store.get('source')),
    },
    log: (t) => logs.push(t),
    logs,
  }
}
