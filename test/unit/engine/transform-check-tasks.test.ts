import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compilePipeline } from '../../../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../../../src/definition/load-pipeline.js'
import { DataPlane } from '../../../src/engine/data-plane.js'
import { runPipeline, type RunResult } from '../../../src/engine/run-pipeline.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'

// transform (ops and TS modules) and check tasks end to end: files, DuckDB datasets, SQLite state.
const FIXTURES = resolve('test/fixtures/transforms')
let ws: string
let store: SqliteStateStore
let n = 0

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'sluice-transform-'))
  store = await SqliteStateStore.open({ path: join(ws, 'state.db') })
  const rows = Array.from({ length: 10_000 }, (_, i) => `${i + 1},${i % 7 === 0 ? '' : i % 50}`)
  await writeFile(join(ws, 'items.csv'), `id,qty\n${rows.join('\n')}\n`)
})
afterAll(async () => {
  await store.close()
  await rm(ws, { recursive: true, force: true })
})

async function run(yaml: string): Promise<RunResult> {
  const runId = `r${++n}`
  const loaded = loadPipelineText(yaml, { run: { runId }, displayName: join(ws, 'p.yaml') })
  expect(loaded.issues.filter((i) => i.severity === 'error')).toEqual([])
  const plane = new DataPlane(ws)
  try {
    return await runPipeline(compilePipeline(loaded), { store, runId, dataPlane: plane })
  } finally {
    await plane.close()
  }
}

const outputs = (r: RunResult, task: string) => r.tasks[task]?.outputs as Record<string, unknown>

describe('transform tasks with ops', () => {
  it('filter, derive, dedupe and scale run in DuckDB; fitted parameters land in the outputs', async () => {
    const r = await run(`name: ops
tasks:
  items: { type: extract, source: { path: items.csv } }
  clean:
    type: transform
    depends_on: [items]
    ops:
      - filter: "qty IS NOT NULL"
      - derive: { bucket: "qty // 10" }
      - dedupe: { keys: [bucket], keep: last, order_by: id }
      - sort: [bucket]
      - scale: { columns: [qty], method: minmax }
`)
    expect(r.state, JSON.stringify(r.tasks)).toBe('SUCCESS')
    const out = outputs(r, 'clean')
    expect(out.rows).toBe(5)
    expect(out.schema).toEqual(['id int64', 'qty float64', 'bucket int64'])
    const fitted = out.fitted as Record<string, { groups: { columns: { qty: unknown } }[] }>
    expect(Object.keys(fitted)).toEqual(['scale_4'])
    // minmax: center = min, scale = max - min, over the 5 kept rows (qty 9, 19, …, 49)
    expect(fitted.scale_4!.groups[0]!.columns.qty).toMatchObject({ center: 9, scale: 40 })
  })

  it('an op naming an unknown column fails the task with the op and a suggestion', async () => {
    const r = await run(`name: ops_bad
tasks:
  items: { type: extract, source: { path: items.csv } }
  clean: { type: transform, depends_on: [items], ops: [{ select: [id, qtty] }] }
`)
    expect(r.tasks.clean?.state).toBe('FAILED')
    expect(r.tasks.clean?.error?.message).toMatch(/ops\[0\].*qtty/)
    expect(r.tasks.clean?.error?.message + JSON.stringify(r.tasks.clean)).toMatch(/qty/)
  })
})

describe('transform ops: SQL expression errors', () => {
  it('a bad column inside a filter expression is E_SQL naming the task and the op expressions', async () => {
    const r = await run(`name: ops_sql
tasks:
  items: { type: extract, source: { path: items.csv } }
  clean: { type: transform, depends_on: [items], ops: [{ filter: "qtty > 1" }] }
`)
    expect(r.tasks.clean?.error?.code).toBe('E_SQL')
    expect(r.tasks.clean?.error?.message).toMatch(
      /^ops of clean failed in DuckDB: Binder Error: .*qtty/,
    )
  })
})

describe('check tasks and inline checks', () => {
  it('a failing error check fails the task, skips the load after it, and stores counts and samples', async () => {
    const r = await run(`name: gate
tasks:
  items: { type: extract, source: { path: items.csv } }
  quality:
    type: check
    depends_on: [items]
    checks:
      - not_null: qty
      - unique: id
      - range: { column: qty, min: 0, max: 40 }
        severity: warn
  save: { type: load, depends_on: [quality, items], input: items, destination: { path: out.jsonl } }
`)
    expect(r.state).toBe('FAILED')
    expect(r.tasks.quality?.state).toBe('FAILED')
    expect(r.tasks.quality?.error?.code).toBe('E_CHECK_FAILED')
    expect(r.tasks.quality?.error?.message).toMatch(/not_null\(qty\): 1429 of 10000 rows/)
    expect(r.tasks.save?.state).toBe('SKIPPED')
    const stored = await store.listCheckResults({ runId: r.runId })
    let over40 = 0 // qty > 40 among non-NULL qty, counted independently of DuckDB
    for (let i = 0; i < 10_000; i++) if (i % 7 !== 0 && i % 50 > 40) over40++
    expect(stored.map((c) => [c.name, c.status, c.failing, c.severity]).sort()).toEqual([
      ['not_null(qty)', 'fail', 1429, 'error'],
      ['range(qty)', 'fail', over40, 'warn'],
      ['unique(id)', 'pass', 0, 'error'],
    ])
    const nn = stored.find((c) => c.name === 'not_null(qty)')!
    expect(nn.total).toBe(10_000)
    expect(nn.sample[0]).toMatchObject({ id: '1', qty: null })
  })

  it('inline checks run on the output of a data task; warn-only failures let it succeed', async () => {
    const r = await run(`name: inline
tasks:
  items:
    type: extract
    source: { path: items.csv }
    checks:
      - row_count: { min: 10000, max: 10000 }
      - not_null: qty
        severity: warn
`)
    expect(r.state, JSON.stringify(r.tasks)).toBe('SUCCESS')
    expect(outputs(r, 'items').checks).toEqual({ passed: 1, warned: 1 })
    const history = await store.listCheckResults({ pipeline: 'inline', name: 'row_count' })
    expect(history.map((c) => c.status)).toEqual(['pass'])
  })

  it('inline checks on a load gate it before anything is written', async () => {
    const r = await run(`name: gate_load
tasks:
  items: { type: extract, source: { path: items.csv } }
  save:
    type: load
    depends_on: [items]
    destination: { path: gated.jsonl }
    checks: [{ not_null: qty }]
`)
    expect(r.tasks.save?.error?.code).toBe('E_CHECK_FAILED')
    await expect(
      import('node:fs/promises').then((f) => f.stat(join(ws, 'gated.jsonl'))),
    ).rejects.toThrow()
  })
})

describe('transform tasks with TS modules', () => {
  const bad = [17, 4242, 9999]
  const yaml = (policy: string) => `name: ts_${policy}
params: { bad: { type: list, default: [${bad.join(', ')}] } }
tasks:
  items: { type: extract, source: { path: items.csv } }
  named:
    type: transform
    depends_on: [items]
    module: ${join(FIXTURES, 'throw-on-ids.ts')}
    on_error: ${policy}
`
  it('a module that throws on 3 of 10,000 rows: 9,997 rows out, 3 quarantined with the error', async () => {
    const r = await run(yaml('quarantine'))
    expect(r.state, JSON.stringify(r.tasks)).toBe('SUCCESS')
    const out = outputs(r, 'named')
    expect(out.rows).toBe(9_997)
    expect(out.rejected).toBe(3)
    const plane = new DataPlane(ws)
    try {
      const ds = await plane.datasets()
      const rows: (readonly unknown[])[] = []
      for await (const b of ds.read(r.runId, 'named.rejects')) rows.push(...b.rows)
      expect(rows.map((x) => [Number(x[1]), x[2]])).toEqual([
        [17, 'bad id 17'],
        [4242, 'bad id 4242'],
        [9999, 'bad id 9999'],
      ])
      expect(JSON.parse(String(rows[0]![3]))).toEqual({ id: '17', qty: '16' }) // int64 as text
    } finally {
      await plane.close()
    }
  })

  it('the same module fails the task under on_error: fail, naming the row', async () => {
    const r = await run(yaml('fail'))
    expect(r.tasks.named?.state).toBe('FAILED')
    expect(r.tasks.named?.error?.message).toMatch(/bad id 17/)
  })

  it('a looping module is stopped at its timeout and a memory hog at its limit; the other tasks finish', async () => {
    const started = Date.now()
    const r = await run(`name: isolation
tasks:
  items: { type: extract, source: { path: items.csv } }
  loops:
    type: transform
    depends_on: [items]
    module: ${join(FIXTURES, 'endless-loop.ts')}
    timeout: 3s
  hog:
    type: transform
    depends_on: [items]
    module: ${join(FIXTURES, 'unbounded-alloc.ts')}
    resources: { memory_mb: 64 }
  fine:
    type: transform
    depends_on: [items]
    module: ${join(FIXTURES, 'double.ts')}
`)
    expect(r.tasks.loops?.state).toBe('FAILED')
    expect(r.tasks.loops?.error?.code).toMatch(/TIMEOUT/)
    expect(r.tasks.hog?.state).toBe('FAILED')
    expect(r.tasks.hog?.error?.code).toBe('E_TRANSFORM_MEMORY')
    expect(r.tasks.fine?.state).toBe('SUCCESS')
    expect(outputs(r, 'fine').rows).toBe(10_000)
    expect(Date.now() - started).toBeLessThan(60_000)
  }, 90_000)
})

describe('schema contracts', () => {
  const pipeline = (policy: string, columns: string) => `name: contract_${policy}
tasks:
  items:
    type: extract
    source: { path: items.csv }
    contract:
      policy: ${policy}
      columns: ${columns}
`
  // items.csv: id 1..10000, qty NULL when (id-1) % 7 == 0, else (id-1) % 50
  let nulls = 0
  let over40 = 0
  for (let i = 0; i < 10_000; i++) {
    if (i % 7 === 0) nulls++
    else if (i % 50 > 40) over40++
  }

  it('freeze: a NULL in a NOT NULL column fails the task with counts', async () => {
    const r = await run(pipeline('freeze', '{ id: int64, qty: { type: int32, nullable: false } }'))
    expect(r.tasks.items?.error?.code).toBe('E_CONTRACT_VIOLATION')
    expect(r.tasks.items?.error?.message).toContain(`${nulls} of 10000 rows: qty NULL`)
  })

  it('discard_row drops the rows that break it and keeps them as rejects with the reason', async () => {
    const r = await run(
      pipeline('discard_row', '{ id: int64, qty: { type: int32, nullable: false, max: 40 } }'),
    )
    expect(r.state, JSON.stringify(r.tasks)).toBe('SUCCESS')
    const out = outputs(r, 'items')
    expect(out.rows).toBe(10_000 - nulls - over40)
    expect(out.rejected).toBe(nulls + over40)
    expect(out.schema).toEqual(['id int64', 'qty int32'])
    const plane = new DataPlane(ws)
    try {
      const ds = await plane.datasets()
      const first: (readonly unknown[])[] = []
      for await (const b of ds.read(r.runId, 'items.rejects')) first.push(...b.rows.slice(0, 2))
      expect(first[0]).toEqual(['contract', 1n, 'qty: NULL', '{"id":1,"qty":null}'])
    } finally {
      await plane.close()
    }
  })

  it('discard_value sets breaking values to NULL; a new column is dropped', async () => {
    const r = await run(pipeline('discard_value', '{ id: int64, qty: { type: int32, max: 40 } }'))
    expect(r.state).toBe('SUCCESS')
    expect(outputs(r, 'items').rows).toBe(10_000)
    const r2 = await run(pipeline('discard_value', '{ id: int64 }'))
    expect(outputs(r2, 'items').schema).toEqual(['id int64'])
    expect(outputs(r2, 'items').contract).toEqual(['qty: new column dropped'])
  })

  it('evolve keeps a new column and a wider type, and fails on a constraint', async () => {
    const r = await run(pipeline('evolve', '{ id: int32 }'))
    expect(r.state).toBe('SUCCESS')
    expect(outputs(r, 'items').schema).toEqual(['id int32', 'qty int64'])
    const bad = await run(pipeline('evolve', '{ id: { type: int64, min: 2 } }'))
    expect(bad.tasks.items?.error?.message).toContain('1 of 10000 rows: id below 2')
  })
})
