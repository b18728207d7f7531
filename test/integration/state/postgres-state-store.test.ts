import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { SluiceError } from '../../../src/core/sluice-error.js'
import { PostgresStateStore } from '../../../src/state/postgres/postgres-state-store.js'
import { useTestDatabase } from '../../helpers/pg-test-database.js'
import { describeStateStore } from '../../helpers/state-store-contract.js'

// DESIGN.md §8: a real PostgreSQL; this suite fails (never skips) when it is unreachable.
const db = useTestDatabase('sluice_test')
let n = 0

describeStateStore('postgres', async ({ mask }) => {
  const schema = `s${++n}_${randomBytes(3).toString('hex')}`
  const store = await PostgresStateStore.open({ url: db.url(), schema, mask, max: 4 })
  const raw = new pg.Client({ connectionString: db.url(), options: `-c search_path=${schema}` })
  await raw.connect()
  return {
    store,
    reopen: () => PostgresStateStore.open({ url: db.url(), schema, mask, max: 4 }),
    raw: async (sql) => (await raw.query(sql)).rows as Record<string, unknown>[],
    cleanup: async () => {
      await store.close()
      await raw.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await raw.end()
    },
  }
})

describe('PostgresStateStore specifics', () => {
  it('keeps schemas apart', async () => {
    const a = await PostgresStateStore.open({ url: db.url(), schema: 'iso_a' })
    const b = await PostgresStateStore.open({ url: db.url(), schema: 'iso_b' })
    try {
      await a.setWatermark('p', 'k', 'a')
      expect(await b.getWatermark('p', 'k')).toBeUndefined()
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('opens concurrently without racing the migrations', async () => {
    const stores = await Promise.all(
      [1, 2, 3].map(() => PostgresStateStore.open({ url: db.url(), schema: 'race', max: 2 })),
    )
    expect(await Promise.all(stores.map((s) => s.listRuns()))).toEqual([[], [], []])
    await Promise.all(stores.map((s) => s.close()))
  })

  it('rejects an unsafe schema name', async () => {
    const error = await PostgresStateStore.open({ url: db.url(), schema: 'x; drop' }).catch(
      (e: unknown) => e,
    )
    expect((error as SluiceError).code).toBe('E_SCHEMA_VALUE')
  })

  it('reports an unreachable server as retryable E_STATE_CONNECT', async () => {
    const error = await PostgresStateStore.open({
      url: 'postgres://postgres@127.0.0.1:1/none',
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SluiceError)
    expect((error as SluiceError).code).toBe('E_STATE_CONNECT')
    expect((error as SluiceError).retryable).toBe(true)
  })
})
