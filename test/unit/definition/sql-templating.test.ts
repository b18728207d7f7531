import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TaskSpecOf } from '../../../src/core/spec/pipeline-spec.js'
import { formatIssue } from '../../../src/core/validation-issue.js'
import { loadPipelineFile, loadPipelineText } from '../../../src/definition/load-pipeline.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-sqltpl-'))
  await mkdir(join(dir, 'sql'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const day = new Date('2026-03-10T02:00:00Z')
const load = (text: string, opts = {}) =>
  loadPipelineText(text, {
    displayName: 'p.yaml',
    env: {},
    baseDir: dir,
    run: { runId: 'r1', logicalDate: day },
    ...opts,
  })
const sqlOf = (l: ReturnType<typeof load>, id: string) =>
  (l.spec!.tasks[id] as TaskSpecOf<'sql'>).sql
const lines = (l: ReturnType<typeof load>) => l.issues.map(formatIssue)

const HEAD = `name: t
params: { min: 10, country: { type: string, default: GB } }
tasks:
  orders: { type: extract, source: { path: o.csv } }
  customers: { type: extract, source: { path: c.csv } }
  ping: { type: command, command: "true" }
`

describe('templating in sql: (inline)', () => {
  it('renders params, built-ins and ref() (quoted; a dash in an id needs the quotes)', () => {
    const l = load(`${HEAD}  raw-orders: { type: extract, source: { path: r.csv } }
  clean:
    type: sql
    depends_on: [orders, raw-orders]
    sql: |
      select * from {{ ref('orders') }} join {{ ref("raw-orders") }} using (id)
      where amount > {{ params.min }} and country = '{{ params.country | lower }}'
        and ts >= '{{ data_interval_start }}' and ts < '{{ data_interval_end }}' -- {{ run_id }} {{ today }}
`)
    expect(lines(l)).toEqual([])
    expect(sqlOf(l, 'clean')).toBe(
      `select * from "orders" join "raw-orders" using (id)
where amount > 10 and country = 'gb'
  and ts >= '2026-03-09T02:00:00.000Z' and ts < '2026-03-10T02:00:00.000Z' -- r1 2026-03-10
`,
    )
  })

  it('--param values and task params: reach the SQL; a lone {{ }} stays text', () => {
    const l = load(
      `${HEAD}  clean:
    type: sql
    depends_on: [orders]
    params: { country: FI }
    sql: "{{ params.min }}"
`,
      { params: { min: '7' } },
    )
    expect(sqlOf(l, 'clean')).toBe('7')
  })

  it('an undefined param is an error naming it, the task path and file:line:col', () => {
    const l = load(`${HEAD}  clean:
    type: sql
    depends_on: [orders]
    sql: |
      select *
      from orders where amount > {{ params.mni }}
`)
    expect(l.spec).toBeUndefined()
    expect(lines(l)).toEqual([
      'p.yaml:12:34 error E_PARAM_UNDECLARED {{ params.mni }} is not defined; did you mean `min`? [tasks.clean.sql]',
    ])
  })

  it('ref() to a task that is not upstream is E_INPUT_INVALID naming the task and its upstream list', () => {
    const l = load(`${HEAD}  clean:
    type: sql
    depends_on: [orders, ping]
    sql: "select * from {{ ref('customers') }}"
`)
    expect(lines(l)).toEqual([
      `p.yaml:10:25 error E_INPUT_INVALID ref('customers') in task clean: customers is not upstream of clean (upstream: orders, ping); add "customers" to depends_on of clean [tasks.clean.sql]`,
    ])
  })

  it('ref() to an upstream task without a dataset, a typo and a bad call are errors too', () => {
    const l = load(`${HEAD}  clean:
    type: sql
    depends_on: [orders, ping]
    sql: "{{ ref('ping') }} {{ ref('order') }} {{ ref(orders) }}"
`)
    const found = l.issues.map((i) => [i.code, i.col, i.message, i.suggestion])
    expect(found).toEqual([
      [
        'E_INPUT_INVALID',
        11,
        "ref('ping') in task clean: ping (command) leaves no dataset to read",
        'ref() a task that stages data: an extract without destination:, a sql task without connection:, a transform',
      ],
      [
        'E_INPUT_INVALID',
        29,
        "ref('order') in task clean: order is not upstream of clean (upstream: orders, ping)",
        'did you mean `orders`?',
      ],
      [
        'E_TEMPLATE_SYNTAX',
        48,
        'in {{ ref(orders) }}: ref() takes one quoted task id',
        "write {{ ref('orders') }}",
      ],
    ])
  })

  it('the SQL of a task with no templates is unchanged; problems elsewhere are reported with it', () => {
    const l = load(`${HEAD}  clean:
    type: sql
    depends_on: [orders]
    sql: "select 1 -- {{ nope }}"
    retries: { max_attempts: 0 }
`)
    expect(l.issues.map((i) => i.code).sort()).toEqual(['E_RETRIES_RANGE', 'E_TEMPLATE_UNKNOWN'])
    const ok = load(`${HEAD}  clean: { type: sql, depends_on: [orders], sql: "select 1" }\n`)
    expect(sqlOf(ok, 'clean')).toBe('select 1')
  })
})

describe('templating in file: SQL', () => {
  it('renders the file with the same scope; the spec carries the rendered text in sql', async () => {
    await writeFile(
      join(dir, 'sql', 'clean.sql'),
      "-- {{ pipeline }}\nselect *\nfrom {{ ref('orders') }}\nwhere amount > {{ params.min }};\n",
    )
    const l = load(`${HEAD}  clean: { type: sql, depends_on: [orders], file: sql/clean.sql }\n`, {
      params: { min: '3' },
    })
    expect(lines(l)).toEqual([])
    const task = l.spec!.tasks.clean as TaskSpecOf<'sql'>
    expect(task.file).toBe('sql/clean.sql')
    expect(task.sql).toBe('-- t\nselect *\nfrom "orders"\nwhere amount > 3;\n')
  })

  it('errors name the .sql file (next to the pipeline as displayed), its line and column', async () => {
    await writeFile(
      join(dir, 'sql', 'bad.sql'),
      "select *\n  from {{ ref('customers') }}\n where x = {{ params.nope }}\n",
    )
    await writeFile(
      join(dir, 'pipe.yaml'),
      `${HEAD}  clean: { type: sql, depends_on: [orders], file: sql/bad.sql }\n`,
    )
    const l = await loadPipelineFile(join(dir, 'pipe.yaml'), {
      displayName: 'proj/pipe.yaml',
      env: {},
    })
    expect(l.spec).toBeUndefined()
    expect(l.issues.map(formatIssue)).toEqual([
      `proj/sql/bad.sql:2:8 error E_INPUT_INVALID ref('customers') in task clean: customers is not upstream of clean (upstream: orders); add "customers" to depends_on of clean [tasks.clean.file]`,
      'proj/sql/bad.sql:3:12 error E_PARAM_UNDECLARED task clean: {{ params.nope }} is not defined; declare it under params: or add | default(…) [tasks.clean.file]',
    ])
  })

  it('a missing .sql file is E_FILE_NOT_FOUND at the file: key', () => {
    const l = load(`${HEAD}  clean:
    type: sql
    depends_on: [orders]
    file: sql/missing.sql
`)
    expect(lines(l)).toEqual([
      "p.yaml:10:11 error E_FILE_NOT_FOUND task clean: no such SQL file: sql/missing.sql; paths in file: are relative to the pipeline file's folder [tasks.clean.file]",
    ])
  })

  it('an empty .sql file renders to empty text (the database reports it when run)', async () => {
    await writeFile(join(dir, 'sql', 'empty.sql'), '')
    const l = load(`${HEAD}  clean: { type: sql, depends_on: [orders], file: sql/empty.sql }\n`)
    expect(lines(l)).toEqual([])
    expect(sqlOf(l, 'clean')).toBe('')
  })
})

describe('ref() in a sql task with connection: (push-down)', () => {
  const pipeline = (target: string) => `name: t
connections: { wh: "postgres://u@h/db", my: "mysql://u@h/db", other: "postgres://u@h/x" }
tasks:
  orders: { type: extract, source: { path: o.csv } }
  load_pg: { type: load, depends_on: [orders], destination: { connection: wh, table: staging.orders } }
  load_my: { type: load, depends_on: [orders], destination: { connection: my, table: orders } }
  copy: { type: extract, source: { path: o.csv }, destination: { connection: wh, table: raw } }
  up:
    type: sql
    connection: ${target}
    depends_on: [load_pg, load_my, copy, orders]
    sql: "insert into x select * from {{ ref('load_pg') }}; select * from {{ ref('copy') }}"
  up_my:
    type: sql
    connection: my
    depends_on: [load_my]
    sql: "delete from {{ ref('load_my') }}"
`
  it('renders the table an upstream load (or copying extract) wrote into the same connection, quoted per dialect', () => {
    const l = load(pipeline('wh'))
    expect(lines(l)).toEqual([])
    expect(sqlOf(l, 'up')).toBe(
      'insert into x select * from "staging"."orders"; select * from "raw"',
    )
    expect(sqlOf(l, 'up_my')).toBe('delete from `orders`')
  })

  it('a ref() to an upstream that wrote nothing into that connection is an error', () => {
    const l = load(pipeline('other'))
    expect(l.issues.map((i) => i.message)).toEqual([
      "ref('load_pg') in task up (which runs inside connection other): load_pg writes no table into other",
      "ref('copy') in task up (which runs inside connection other): copy writes no table into other",
    ])
  })
})
