import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'
import type { ConnectionConfig } from '../../src/data/connector-contract.js'

// DESIGN.md §8: a real PostgreSQL; these suites fail (never skip) when it is unreachable.
export const ADMIN_URL =
  process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** Runs `fn` on a connection to the admin database; a clear error when the server is down. */
export async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
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

/** A fresh database `<prefix>_<random>` for one test file, dropped WITH (FORCE) afterwards. */
export function useTestDatabase(prefix = 'sluice_pg'): {
  conn: (options?: Record<string, unknown>) => ConnectionConfig
  sql: <R = Record<string, unknown>>(text: string, values?: unknown[]) => Promise<R[]>
  url: () => string
} {
  const database = `${prefix}_${randomBytes(5).toString('hex')}`
  const u = new URL(ADMIN_URL)
  u.pathname = `/${database}`
  const url = u.toString()
  let client: pg.Client | undefined
  beforeAll(async () => {
    await pgAdmin((c) => c.query(`CREATE DATABASE ${database}`))
    client = new pg.Client({ connectionString: url })
    await client.connect()
  })
  afterAll(async () => {
    await client?.end()
    await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`))
  })
  return {
    url: () => url,
    conn: (options = {}) => ({ name: 'test', url, options }),
    sql: async <R>(text: string, values?: unknown[]) =>
      (await client!.query(text, values)).rows as R[],
  }
}
