import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compilePipeline } from '../../../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../../../src/definition/load-pipeline.js'
import { DuckDBEngine } from '../../../src/data/duckdb/duckdb-engine.js'
import { DataPlane } from '../../../src/engine/data-plane.js'
import { runPipeline, type RunResult } from '../../../src/engine/run-pipeline.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'

let ws: string
let store: SqliteStateStore
let plane: DataPlane
beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'sluice-sqltask-'))
  await mkdir(join(ws, 'sql'))
  store = await SqliteStateStore.open({ path: join(ws, 'state.db') })
  plane = new DataPlane(ws)
  await writeFile(join(ws, 'orders.csv'), 'id,amount\n1,5\n2,20\n3,30\n4,20\n')
})
afterAll(async () => {
  await plane.close()
  await store.close()
  await rm(ws, { recursive: true, force: true })
})

let n = 0
async function run(yaml: string, params: Record<string, string> = {}): Promise<RunResult> {
  const runId = `r${++n}`
  const loaded = loadPipelineText(yaml, {
    run: { runId },
    params,
    env: {},
    displayName: join(ws, 'p.yaml'),
  })
  expect(loaded.issues).toEqual([])
  return runPipeline(compilePipeline(loaded), { store, runId, dataPlane: plane })
}
const errorOf = (r: RunResult, id: string) => r.tasks[id]?.error

const HEAD = `name: sqltask
params: { min: 10 }
tasks:
  orders: { type: extract, source: { path: orders.csv } }
`

describe('sql tasks in DuckDB', () => {
  it('ref() and params in sql:, then a file: task over it (rendered at load)', async () => {
    await writeFile(
      join(ws, 'sql', 'totals.sql'),
      "select count(*)::int as n, sum(amount)::int as total\nfrom {{ ref('big') }};\n",
    )
    const r = await run(
      `${HEAD}  big:
    type: sql
    depends_on: [orders]
    sql: select * from {{ ref('orders') }} where amount >= {{ params.min }}
  totals: { type: sql, depends_on: [big], file: sql/totals.sql }
`,
      { min: '20' },
    )
    expect(r.state, JSON.stringify(r.tasks)).toBe('SUCCESS')
    expect(r.tasks.big!.outputs).toMatchObject({ rows: 3 }) // 20, 30, 20
    expect(r.tasks.totals!.outputs).toMatchObject({ rows: 1 })
    const engine = await DuckDBEngine.open({})
    try {
      const path = join(ws, 'datasets', r.runId, 'totals', 'data.parquet')
      const { rows } = await engine.all(`select * from read_parquet('${path}')`)
      expect(rows).toEqual([[3, 70]])
    } finally {
      await engine.close()
    }
  })

  it('a syntax error on line 3 of sql: is E_SQL at line 3 (the CTE wrapper is not counted), with a caret', async () => {
    const r = await run(`${HEAD}  bad:
    type: sql
    depends_on: [orders]
    sql: |
      select id,
        amount
      FORM orders
`)
    expect(r.state).toBe('FAILED')
    expect(r.tasks.bad!.attempts).toBe(1) // a wrong query is not retried
    const e = errorOf(r, 'bad')!
    expect(e.code).toBe('E_SQL')
    expect(e.message.split('\n').slice(0, 3)).toEqual([
      'sql: line 3, col 6: Parser Error: syntax error at or near "orders"',
      '  3 | FORM orders',
      '    |      ^',
    ])
  })

  it('a Binder error in a .sql file names the file, line and column; without upstream there is no wrapper', async () => {
    await writeFile(join(ws, 'sql', 'bad.sql'), '-- no inputs\nselect 1 as a,\n  nope\n')
    const r = await run(`name: solo\ntasks:\n  bad: { type: sql, file: sql/bad.sql }\n`)
    const e = errorOf(r, 'bad')!
    expect(e.code).toBe('E_SQL')
    expect(e.message.split('\n')[0]).toMatch(/^sql\/bad\.sql:3:3: Binder Error: .*"nope"/)
    expect(e.message).toContain('(here: none)')
  })

  it('a trailing -- comment without a newline no longer swallows the closing parenthesis', async () => {
    const r =
      await run(`${HEAD}  c: { type: sql, depends_on: [orders], sql: "select count(*) as n from orders -- all" }
  d: { type: sql, sql: "select 1 as one -- no inputs" }
`)
    expect(r.state, JSON.stringify(r.tasks)).toBe('SUCCESS')
    expect(r.tasks.c!.outputs).toMatchObject({ rows: 1 })
  })
})
