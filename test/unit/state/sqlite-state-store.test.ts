import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { SluiceError } from '../../../src/core/sluice-error.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'
import { describeStateStore } from '../../helpers/state-store-contract.js'

const dir = mkdtempSync(join(tmpdir(), 'sluice-state-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0

describeStateStore('sqlite', async ({ mask }) => {
  const path = join(dir, `state-${++n}.db`)
  const store = await SqliteStateStore.open({ path, mask })
  return {
    store,
    reopen: () => SqliteStateStore.open({ path, mask }),
    raw: (sql) => {
      const db = new Database(path)
      try {
        const stmt = db.prepare(sql)
        if (stmt.reader) return Promise.resolve(stmt.all() as Record<string, unknown>[])
        stmt.run()
        return Promise.resolve([])
      } finally {
        db.close()
      }
    },
    cleanup: () => store.close(),
  }
})

describe('SqliteStateStore specifics', () => {
  it('puts the file in WAL mode', async () => {
    const path = join(dir, 'pragmas.db')
    const store = await SqliteStateStore.open({ path })
    const db = new Database(path)
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    } finally {
      db.close()
      await store.close()
    }
  })

  it('works in memory', async () => {
    const store = await SqliteStateStore.open({ path: ':memory:' })
    await store.setWatermark('p', 'k', 1)
    expect(await store.getWatermark('p', 'k')).toBe(1)
    await store.close()
  })

  it('reports a path it cannot open as E_STATE_CONNECT', async () => {
    const error = await SqliteStateStore.open({ path: join(dir, 'no/such/dir/state.db') }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SluiceError)
    expect((error as SluiceError).code).toBe('E_STATE_CONNECT')
  })
})
