import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compilePipeline } from '../../../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../../../src/definition/load-pipeline.js'
import { DataPlane } from '../../../src/engine/data-plane.js'
import { runPipeline } from '../../../src/engine/run-pipeline.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'

let ws: string
let store: SqliteStateStore
beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'sluice-files-'))
  store = await SqliteStateStore.open({ path: join(ws, 'state.db') })
  await writeFile(
    join(ws, 'orders.csv'),
    'id,customer_id,amount\n1,1,12.50\n2,2,7.00\n3,1,99.90\n4,3,5.00\n',
  )
  await writeFile(join(ws, 'customers.csv'), 'id,country\n1,GB\n2,US\n3,FI\n')
})
afterAll(async () => {
  await store.close()
  await rm(ws, { recursive: true, force: true })
})

describe('file extract → DuckDB sql → file load', () => {
  it('joins two CSV datasets (the query has its own WITH and a trailing semicolon) and writes CSV', async () => {
    const yaml = `name: files
params: { min: 6 }
tasks:
  orders: { type: extract, source: { path: orders.csv } }
  customers: { type: extract, source: { path: customers.csv } }
  by_country:
    type: sql
    depends_on: [orders, customers]
    sql: |
      with big as (select * from orders where amount >= {{ params.min }})
      select c.country, count(*)::int as n, sum(b.amount) as total
      from big b join customers c on c.id = b.customer_id
      group by c.country order by c.country;
  save: { type: load, depends_on: [by_country], destination: { path: out/by_country.csv, mode: replace } }
`
    const loaded = loadPipelineText(yaml, { run: { runId: 'f1' }, displayName: join(ws, 'p.yaml') })
    const plane = new DataPlane(ws)
    try {
      const r = await runPipeline(compilePipeline(loaded), { store, runId: 'f1', dataPlane: plane })
      expect(r.state, JSON.stringify(r.tasks)).toBe('SUCCESS')
      expect(r.tasks.by_country!.outputs).toMatchObject({ rows: 2 })
    } finally {
      await plane.close()
    }
    const csv = await readFile(join(ws, 'out/by_country.csv'), 'utf8')
    expect(csv.trim().split('\n')).toEqual(['country,n,total', 'GB,2,112.4', 'US,1,7.0'])
  })

  it('reports a schema change of a dataset since its previous run', async () => {
    const yaml = 'name: drift\ntasks:\n  items: { type: extract, source: { path: items.csv } }\n'
    const runOnce = async (runId: string, csv: string) => {
      await writeFile(join(ws, 'items.csv'), csv)
      const loaded = loadPipelineText(yaml, { run: { runId }, displayName: join(ws, 'drift.yaml') })
      const plane = new DataPlane(ws)
      try {
        return await runPipeline(compilePipeline(loaded), { store, runId, dataPlane: plane })
      } finally {
        await plane.close()
      }
    }
    const first = await runOnce('d1', 'id,name\n1,a\n2,b\n')
    expect(first.tasks.items!.outputs).not.toHaveProperty('schema_change')
    await new Promise((r) => setTimeout(r, 20)) // distinct file times
    const second = await runOnce('d2', 'id,name,price\n1,a,1.5\n2,b,2.5\n')
    const change = (
      second.tasks.items!.outputs as {
        schema_change: { since_run: string; compatible: boolean; diff: string }
      }
    ).schema_change
    expect(change.since_run).toBe('d1')
    expect(change.diff).toContain('price')
    const logs = (await store.readLogs('d2', 'items')).map((l) => l.text).join('\n')
    expect(logs).toContain('schema changed since run d1')
    await new Promise((r) => setTimeout(r, 20))
    const third = await runOnce('d3', 'id,name,price\n3,c,3.5\n')
    expect(third.tasks.items!.outputs).not.toHaveProperty('schema_change')
  })

  it('an incremental file extract loads each file once (copy into SQLite, watermark in the destination)', async () => {
    const { mkdir, utimes } = await import('node:fs/promises')
    const inbox = join(ws, 'inbox')
    await mkdir(inbox, { recursive: true })
    const put = async (name: string, ids: number[], minute: number) => {
      const p = join(inbox, name)
      await writeFile(p, `id,v\n${ids.map((i) => `${i},v${i}`).join('\n')}\n`)
      const t = new Date(Date.UTC(2026, 0, 1, 0, minute))
      await utimes(p, t, t)
    }
    await put('a.csv', [1, 2], 1)
    await put('b.csv', [3], 2)
    const yaml = `name: inbox
connections: { lite: "sqlite:${join(ws, 'inbox.db')}" }
tasks:
  files:
    type: extract
    source: { path: inbox/*.csv, incremental: { column: modified } }
    destination: { connection: lite, table: items, mode: append }
`
    const runOnce = async (runId: string) => {
      const loaded = loadPipelineText(yaml, { run: { runId }, displayName: join(ws, 'inbox.yaml') })
      const plane = new DataPlane(ws)
      try {
        return await runPipeline(compilePipeline(loaded), { store, runId, dataPlane: plane })
      } finally {
        await plane.close()
      }
    }
    const first = await runOnce('i1')
    expect(first.state, JSON.stringify(first.tasks)).toBe('SUCCESS')
    expect(first.tasks.files!.outputs).toMatchObject({ rows: 3 })
    expect((await runOnce('i2')).tasks.files!.outputs).toMatchObject({ rows: 0 })
    await put('c.csv', [4, 5], 3)
    await put('0-late-name.csv', [6], 4) // sorts first by name, but is newer
    const third = await runOnce('i3')
    expect(third.tasks.files!.outputs).toMatchObject({ rows: 3 })
    const Database = (await import('better-sqlite3')).default
    const db = new Database(join(ws, 'inbox.db'), { readonly: true })
    try {
      const ids = (db.prepare('select id from items order by id').all() as { id: number }[]).map(
        (r) => Number(r.id),
      )
      expect(ids).toEqual([1, 2, 3, 4, 5, 6])
    } finally {
      db.close()
    }
  })
})
