import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'
import type {
  ConnectionConfig,
  ReadContext,
  WriteContext,
} from '../../../../src/data/connector-contract.js'
import type { TableSchema } from '../../../../src/data/column-type.js'
import type { RowBatch } from '../../../../src/data/row-batch.js'

// DESIGN.md §8: a real PostgreSQL; these suites fail (never skip) when it is unreachable.
export const ADMIN_URL =
  process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
  } catch (e) {
    throw new Error(
      `PostgreSQL is unreachable at ${ADMIN_URL} (${String(e)}); start it, e.g. ` +
        'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    )
  }
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** A fresh database `sluice_pg_<random>` for one test file, dropped WITH (FORCE) afterwards. */
export function useTestDatabase(): {
  conn: (options?: Record<string, unknown>) => ConnectionConfig
  sql: <R = Record<string, unknown>>(text: string, values?: unknown[]) => Promise<R[]>
  url: () => string
} {
  const database = `sluice_pg_${randomBytes(5).toString('hex')}`
  const u = new URL(ADMIN_URL)
  u.pathname = `/${database}`
  const url = u.toString()
  let client: pg.Client | undefined
  beforeAll(async () => {
    await admin((c) => c.query(`CREATE DATABASE ${database}`))
    client = new pg.Client({ connectionString: url })
    await client.connect()
  })
  afterAll(async () => {
    await client?.end()
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`))
  })
  return {
    url: () => url,
    conn: (options = {}) => ({ name: 'test', url, options }),
    sql: async <R>(text: string, values?: unknown[]) =>
      (await client!.query(text, values)).rows as R[],
  }
}

export function readCtx(since?: unknown, batchRows = 1000): ReadContext {
  return {
    signal: new AbortController().signal,
    batchRows,
    ...(since === undefined ? {} : { since }),
    log: () => {},
  }
}

export function writeCtx(
  schema: TableSchema,
  extra: Partial<Omit<WriteContext, 'schema' | 'log'>> = {},
): WriteContext {
  return { signal: new AbortController().signal, mode: 'append', log: () => {}, schema, ...extra }
}

export async function* batchesOf(
  schema: TableSchema,
  rows: unknown[][],
  size = 1000,
): AsyncIterable<RowBatch> {
  await Promise.resolve()
  for (let i = 0; i < rows.length; i += size)
    yield { schema, rows: rows.slice(i, i + size) as RowBatch['rows'] }
}

export async function collect(it: AsyncIterable<RowBatch>): Promise<unknown[][]> {
  const out: unknown[][] = []
  for await (const b of it) out.push(...(b.rows as unknown[][]))
  return out
}
