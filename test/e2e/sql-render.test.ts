import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sluiceCli } from '../helpers/sluice-cli.js'

let dir: string
let ws: string
const sluice = (args: string[]) => sluiceCli(args, { cwd: dir, workspace: ws })

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-render-'))
  ws = join(dir, 'ws')
  await mkdir(join(dir, 'sql'))
  await writeFile(join(dir, 'orders.csv'), 'id,amount\n1,5\n2,20\n')
  await writeFile(
    join(dir, 'sql', 'totals.sql'),
    "-- totals\nselect sum(amount) as total\nfrom {{ ref('big') }}\nwhere '{{ params.day }}' <> '';\n",
  )
  await writeFile(join(dir, 'sql', 'broken.sql'), 'select *\nfrom x\nwhere d = {{ params.dya }}\n')
  await writeFile(
    join(dir, 'p.yaml'),
    `name: rendered
params: { min: 10, day: { type: date, default: "2026-01-31" } }
connections: { lite: "sqlite:${join(dir, 'lite.db')}" }
tasks:
  orders: { type: extract, source: { path: orders.csv } }
  big:
    type: sql
    depends_on: [orders]
    sql: |
      select *
      from {{ ref('orders') }}
      where amount > {{ params.min }}
  totals: { type: sql, depends_on: [big], file: sql/totals.sql }
  store: { type: load, depends_on: [totals], destination: { connection: lite, table: totals, mode: replace } }
  tidy:
    type: sql
    connection: lite
    depends_on: [store]
    sql: "delete from {{ ref('store') }} where total is null; update {{ ref('store') }} set total = total * 2"
`,
  )
  await writeFile(
    join(dir, 'bad.yaml'),
    `name: bad
params: { day: "2026-01-31" }
tasks:
  orders: { type: extract, source: { path: orders.csv } }
  broken: { type: sql, depends_on: [orders], file: sql/broken.sql }
`,
  )
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('sluice render', () => {
  it('prints the DuckDB SQL as it would run: templates, ref() and the CTE wrapper', async () => {
    const r = await sluice(['render', 'p.yaml', 'big', '--param', 'min=15', '--run-id', 'r7'])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const parquet = join(ws, 'datasets', 'r7', 'orders', 'data.parquet')
    expect(r.out).toBe(
      `-- task big: DuckDB over orders; its result becomes the dataset of big
WITH "orders" AS (SELECT * FROM read_parquet('${parquet}')) SELECT * FROM (
select *
from "orders"
where amount > 15
)
`,
    )
  })

  it('renders the contents of a file: task, with a <run_id> placeholder when no run is named', async () => {
    const r = await sluice(['render', 'p.yaml', 'totals'])
    expect(r.code).toBe(0)
    expect(r.out).toContain(join(ws, 'datasets', '<run_id>', 'big', 'data.parquet'))
    expect(r.out).toContain(
      "-- totals\nselect sum(amount) as total\nfrom \"big\"\nwhere '2026-01-31' <> ''\n)\n",
    )
  })

  it('prints push-down SQL as it runs inside the database (ref() is the loaded table)', async () => {
    const r = await sluice(['render', 'p.yaml', 'tidy'])
    expect(r.code).toBe(0)
    expect(r.out).toBe(
      `-- task tidy: runs inside connection lite, all statements in one transaction
delete from "totals" where total is null; update "totals" set total = total * 2
`,
    )
  })

  it('an unknown task: exit 1 with a coded line and a did-you-mean', async () => {
    const r = await sluice(['render', 'p.yaml', 'totls'])
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    expect(r.err.trim()).toBe(
      'error E_SELECT_INVALID pipeline rendered has no task "totls"; did you mean `totals`?',
    )
  })

  it('a task that is not a sql task: exit 1, listing the sql tasks', async () => {
    const r = await sluice(['render', 'p.yaml', 'orders'])
    expect(r.code).toBe(1)
    expect(r.err.trim()).toBe(
      'error E_SELECT_INVALID task orders is a extract task; render prints the SQL of sql tasks; sql tasks: big, totals, tidy',
    )
  })

  it('a template error in a .sql file: exit 1 with the .sql file:line:col', async () => {
    const r = await sluice(['render', 'bad.yaml', 'broken'])
    expect(r.code).toBe(1)
    expect(r.err.trim()).toBe(
      'sql/broken.sql:3:11 error E_PARAM_UNDECLARED task broken: {{ params.dya }} is not defined; did you mean `day`? [tasks.broken.file]',
    )
  })
})

describe('sluice run with a bad SQL template', () => {
  it('exits 1 with the located error before any task starts', async () => {
    const r = await sluice(['run', 'bad.yaml'])
    expect(r.code).toBe(1)
    expect(r.err).toContain('sql/broken.sql:3:11 error E_PARAM_UNDECLARED')
    expect(r.out).not.toContain('RUNNING')
    expect(existsSync(join(ws, 'datasets'))).toBe(false) // not even the extract ran
  })

  it('runs the whole pipeline: DuckDB SQL, a file: task, a load and a push-down into SQLite', async () => {
    const r = await sluice(['run', 'p.yaml'])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/run \S+ SUCCESS .*\(5 success\)/)
    const { default: Sqlite } = await import('better-sqlite3')
    const db = new Sqlite(join(dir, 'lite.db'), { readonly: true })
    try {
      expect(db.prepare('select total from totals').all()).toEqual([{ total: 40 }]) // 20 doubled
    } finally {
      db.close()
    }
  })
})
