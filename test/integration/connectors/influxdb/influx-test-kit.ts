import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { Column, ColumnType, TableSchema, Value } from '../../../../src/data/column-type.js'
import type {
  ConnectionConfig,
  ReadContext,
  WriteContext,
} from '../../../../src/data/connector-contract.js'
import type { RowBatch } from '../../../../src/data/row-batch.js'

export const col = (name: string, kind: ColumnType['kind'], nullable = true): Column => ({
  name,
  type: { kind } as ColumnType,
  nullable,
})

export function conn(url: string, options: Record<string, unknown>): ConnectionConfig {
  return { name: 'influx', url, options: { version: 1, ...options } }
}

export function writeCtx(
  schema: TableSchema,
  logs: string[] = [],
  extra: Partial<WriteContext> = {},
): WriteContext {
  return {
    signal: new AbortController().signal,
    schema,
    mode: 'append',
    log: (t) => logs.push(t),
    ...extra,
  }
}

export function readCtx(logs: string[] = [], extra: Partial<ReadContext> = {}): ReadContext {
  return {
    signal: new AbortController().signal,
    batchRows: 10_000,
    log: (t) => logs.push(t),
    ...extra,
  }
}

export async function* batchesOf(
  schema: TableSchema,
  rows: Value[][],
  size = 1000,
): AsyncIterable<RowBatch> {
  for (let i = 0; i < rows.length; i += size)
    yield await Promise.resolve({ schema, rows: rows.slice(i, i + size) })
}

interface QueryResult {
  results: {
    series?: {
      name: string
      tags?: Record<string, string>
      columns: string[]
      values: unknown[][]
    }[]
    error?: string
  }[]
}

/** Runs InfluxQL on the server directly (not through sluice). */
export async function influxQuery(url: string, db: string, q: string): Promise<QueryResult> {
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q, db }) })
  return (await res.json()) as QueryResult
}

/** Writes line protocol on the server directly. */
export async function influxWrite(url: string, db: string, body: string): Promise<void> {
  const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}`, { method: 'POST', body })
  if (res.status !== 204) throw new Error(`write failed: ${res.status} ${await res.text()}`)
}

export interface SeenRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly bytes: number
}

/**
 * An HTTP proxy in front of InfluxDB that records requests and, while `plan` has entries, answers
 * from the plan instead of forwarding (e.g. 429 with Retry-After, 503, 500, or a dropped socket).
 */
export async function startProxy(target: string): Promise<{
  url: string
  seen: SeenRequest[]
  plan: ({ status: number; headers?: Record<string, string>; body?: string } | 'drop')[]
  close(): Promise<void>
}> {
  const seen: SeenRequest[] = []
  const plan: ({ status: number; headers?: Record<string, string>; body?: string } | 'drop')[] = []
  const t = new URL(target)
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        bytes: body.length,
      })
      const step = plan.shift()
      if (step === 'drop') {
        req.socket.destroy()
        return
      }
      if (step) {
        res.writeHead(step.status, { 'Content-Type': 'application/json', ...step.headers })
        res.end(step.body ?? '{"error":"planned"}')
        return
      }
      const headers = { ...req.headers, host: t.host }
      delete headers['content-length']
      const up = request(
        {
          host: t.hostname,
          port: t.port,
          method: req.method,
          path: req.url,
          headers: { ...headers, 'content-length': String(body.length) },
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers)
          r.pipe(res)
        },
      )
      up.on('error', () => res.destroy())
      up.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    plan,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
