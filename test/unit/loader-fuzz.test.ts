/**
 * Fuzzing the pipeline loader: mutated YAML files and random objects must never make
 * `loadPipelineText` / `loadPipelineSpec` throw, and what they return must be consistent.
 *
 * Runs: text mutations 5000 + structural mutations 3000 + random objects 2000 = 10,000.
 * Reproduce a failure with FUZZ_SEED=<seed> (fast-check prints the seed and the counterexample);
 * FUZZ_SCALE=10 runs ten times as many cases (for a longer local or nightly run).
 * Inputs whose YAML aliases expand to a huge tree (alias bombs) are loaded in a child process with
 * a time and memory limit, so a loader that blows up fails the test instead of hanging it.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import fc from 'fast-check'
import { isAlias, isMap, isPair, isSeq, parse, parseDocument, stringify, type Document } from 'yaml'
import { describe, expect, it } from 'vitest'
import {
  loadPipelineSpec,
  loadPipelineText,
  type LoadOptions,
} from '../../src/definition/load-pipeline.js'
import type { LoadedPipeline } from '../../src/definition/loaded-pipeline.js'
import { planLoaded } from '../../src/definition/plan-loaded.js'

// ---------------------------------------------------------------------------------------------
// seeds: valid pipelines that together use every task type and most top-level keys

const QUICKSTART = `# yaml-language-server: $schema=../../docs/pipeline.schema.json
name: orders_daily
description: Orders and customers from CSV, joined in DuckDB, written to Parquet
schedule: { cron: "0 2 * * *", timezone: Europe/Berlin }
params:
  min_amount: { type: number, default: 10, description: Orders below this are ignored }
  day: { type: date, default: "{{ today }}" }
defaults:
  retries: { max_attempts: 3, initial_delay: 1s, max_delay: 1m }
  timeout: 10m
tasks:
  orders:
    type: extract
    description: Raw orders
    source: { path: data/orders.csv }
    estimate: 2s
  customers:
    type: extract
    description: Customer master data
    source: { path: data/customers.csv }
    estimate: 1s
  clean:
    type: sql
    depends_on: [orders, customers]
    description: Orders of at least min_amount, with the customer's country
    sql: |
      select o.id, o.amount, c.country, o.created_at
      from orders o join customers c on c.id = o.customer_id
      where o.amount >= {{ params.min_amount }}
    estimate: 3s
  by_country:
    type: sql
    depends_on: [clean]
    sql: select country, count(*) as orders, sum(amount) as revenue from clean group by country
    estimate: 1s
  check_clean:
    type: check
    depends_on: [clean]
    checks:
      - { name: amount_positive, expression: "amount > 0" }
    estimate: 1s
  save_orders:
    type: load
    depends_on: [clean, check_clean]
    input: clean
    destination: { path: out/orders.parquet, mode: replace }
    estimate: 2s
  save_report:
    type: load
    depends_on: [by_country]
    destination: { path: out/by_country.csv, mode: replace }
    estimate: 1s
  notify:
    type: command
    depends_on: [save_orders, save_report]
    command: echo "orders_daily done for {{ params.day }} (run {{ run_id }})"
`

const WAREHOUSE = `name: warehouse-sync
description: Copies tables from Postgres into a local SQLite mart
schedule: "15 3 * * 1-5"
params:
  since: { type: date, default: "2024-01-01" }
  batch: 5000
  regions: [eu, us]
connections:
  pg: "postgres://etl:\${env:PG_PASSWORD}@db.internal:5432/shop"
  mart: { url: "sqlite://./mart.db", pool: 2 }
pools:
  heavy: 2
defaults:
  retries: 2
  timeout: 30m
  pool: heavy
  tags: [sync]
  on_upstream_failure: skip
  priority: 1
max_parallel: 4
fail_fast: true
timeout: 2h
retention: 14d
tags: [warehouse, nightly]
tasks:
  users:
    type: extract
    source: { connection: pg, table: users, batch_size: 5000, incremental: { column: updated_at, lookback: 1h } }
    estimate: 30s
  orders:
    type: extract
    source:
      connection: pg
      query: "select * from orders where created_at >= '{{ params.since }}'"
      on_error: skip
      columns: { id: int64, created_at: timestamptz }
    estimate: 2m
  join:
    type: sql
    depends_on: [users, orders]
    sql: select * from orders join users using (user_id)
    estimate: 45s
  write:
    type: load
    depends_on: join
    destination: { connection: mart, table: orders_enriched, mode: merge, keys: [order_id] }
    retries: { max_attempts: 5, initial_delay: 2s, max_delay: 1m, jitter: false }
  vacuum:
    type: sql
    connection: mart
    depends_on: [write]
    sql: vacuum
    priority: -5
`

const FANOUT = `name: fanout_42
tasks:
  start: { type: noop, tags: [gate] }
  fetch_a: { type: command, depends_on: start, command: [curl, -sS, "https://example.com/a"], estimate: 5s, priority: 10 }
  fetch_b: { type: command, depends_on: [start], command: "echo b > b.txt", env: { MODE: fast }, cwd: work, estimate: 3s }
  parse:
    type: function
    depends_on: [fetch_a, fetch_b]
    module: ./tasks/parse.ts
    export: parse
    args: { strict: true, limit: 10 }
    timeout: PT10M
  raw:
    type: extract
    depends_on: [parse]
    source: { path: "data/*.jsonl", format: jsonl, compression: gzip }
  enrich:
    type: transform
    depends_on: [raw]
    module: ./tasks/enrich.ts
    batch_size: 1000
  child:
    type: pipeline
    depends_on: [enrich]
    pipeline: downstream
    params: { day: "{{ today }}" }
    on_upstream_failure: run
  done: { type: noop, depends_on: [child, enrich], resources: { cpu: 1, memory_mb: 64 } }
`

const ANCHORS = `name: anchors
defaults: &defs
  retries: 3
  timeout: 5m
params:
  who: world
schedule: { cron: "@daily", timezone: UTC, overlap: queue, catchup: none, enabled: true }
tasks:
  base: &base
    type: command
    command: "true"
    tags: &t [a, b]
  copy1:
    <<: *base
    depends_on: [base]
    tags: *t
  copy2:
    <<: [*base]
    depends_on: [copy1]
    command: "echo {{ params.who | upper }}"
`

const MINIMAL = `name: m
tasks:
  only:
    type: noop
`

const BLOCKS = `# a comment
name: "block-styles"   # trailing comment
description: >
  Folded text that
  spans lines.
tasks:
  check_it:
    type: check
    depends_on: [q]
    checks:
      - name: not_empty
        severity: warn
        expression: "count(*) > 0"
  q:
    type: sql
    sql: |
      select 1 as x
      union all select {{ params.n }}
    estimate: 500ms
  out:
    type: load
    depends_on: [q, check_it]
    input: q
    destination:
      path: "out/{{ run_id }}.csv"
      format: csv
      csv: { delimiter: ";", header: true }
params:
  n: { type: integer, default: 2, values: [1, 2, 3] }
`

const SEEDS = [QUICKSTART, WAREHOUSE, FANOUT, ANCHORS, MINIMAL, BLOCKS]

const OPTIONS: LoadOptions = {
  env: { PG_PASSWORD: 'hunter2', HOME: '/home/fuzz' },
  run: { runId: 'fuzz', logicalDate: new Date('2024-03-01T00:00:00Z') },
  envUnset: 'warning',
}

// ---------------------------------------------------------------------------------------------
// the invariant

const CODE = /^[EW]_[A-Z_]+$/

function fail(message: string, issue?: unknown): never {
  throw new Error(issue === undefined ? message : `${message}: ${JSON.stringify(issue)}`)
}

interface IssueLike {
  readonly severity: string
  readonly code: string
  readonly message: string
  readonly line?: number
  readonly col?: number
}

/** Issues are well formed; a spec comes back exactly when there is no error. */
function checkIssues(issues: readonly IssueLike[], hasSpec: boolean, text: string): void {
  const lineCount = text.split('\n').length
  for (const issue of issues) {
    if (typeof issue.code !== 'string' || !CODE.test(issue.code)) fail('bad issue code', issue)
    if (typeof issue.message !== 'string' || issue.message.trim() === '')
      fail('empty message', issue)
    if (issue.severity !== 'error' && issue.severity !== 'warning') fail('bad severity', issue)
    if (issue.severity !== (issue.code.startsWith('W_') ? 'warning' : 'error')) {
      fail('severity does not match the code', issue)
    }
    const { line, col } = issue
    if (line !== undefined && !(Number.isInteger(line) && line >= 1 && line <= lineCount + 1)) {
      fail(`line out of range (the file has ${lineCount} lines)`, issue)
    }
    if (col !== undefined && !(Number.isInteger(col) && col >= 1)) fail('bad column', issue)
  }
  const errors = issues.filter((i) => i.severity === 'error')
  if (!hasSpec && errors.length === 0) fail('no spec, yet no error issue')
  if (hasSpec && errors.length > 0) fail('spec is present although there are errors', errors[0])
}

/** What every load must satisfy; plans the pipeline when it is valid. */
function checkLoaded(loaded: LoadedPipeline, text: string, maxParallel?: number): void {
  checkIssues(loaded.issues, loaded.spec !== undefined, text)
  if (loaded.spec === undefined) return
  const plan = planLoaded(loaded, maxParallel === undefined ? {} : { maxParallel })
  const ids = Object.keys(loaded.spec.tasks)
  const levelOf = new Map<string, number>()
  plan.levels.forEach((level, k) =>
    level.forEach((id) => {
      if (levelOf.has(id)) fail(`task ${id} is planned twice`)
      levelOf.set(id, k)
    }),
  )
  for (const id of ids) if (!levelOf.has(id)) fail(`task ${id} is missing from the plan`)
  if (levelOf.size !== ids.length)
    fail(`the plan has ${levelOf.size} tasks, the spec ${ids.length}`)
  for (const [id, task] of Object.entries(loaded.spec.tasks)) {
    const deps =
      task.depends_on === undefined
        ? []
        : typeof task.depends_on === 'string'
          ? [task.depends_on]
          : task.depends_on
    for (const d of deps) {
      if (!(levelOf.get(d)! < levelOf.get(id)!))
        fail(`task ${id} is planned before its dependency ${d}`)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// alias bombs: measured up front, loaded in a child process when the expansion is large

const ALIAS_LIMIT = 20_000

/** How many nodes the document has once every alias is expanded (Infinity for a self-reference). */
function aliasExpansion(text: string): number {
  let doc: Document.Parsed
  try {
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, merge: false })
  } catch {
    return 0
  }
  if (doc.errors.length > 0) return 0
  const memo = new Map<unknown, number>()
  const open = new Set<unknown>()
  const size = (node: unknown): number => {
    if (node === null || node === undefined || typeof node !== 'object') return 1
    const known = memo.get(node)
    if (known !== undefined) return known
    if (open.has(node)) return Infinity
    open.add(node)
    let n = 1
    if (isAlias(node)) n = size(node.resolve(doc))
    else if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        n += isPair(item) ? size(item.key) + size(item.value) : size(item)
        if (n > ALIAS_LIMIT) break
      }
    }
    open.delete(node)
    memo.set(node, n)
    return n
  }
  return size(doc.contents)
}

const LOADER_URL = pathToFileURL(
  fileURLToPath(new URL('../../src/definition/load-pipeline.ts', import.meta.url)),
).href
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))

interface ChildResult {
  readonly ms: number
  readonly hasSpec: boolean
  readonly issues: IssueLike[]
  readonly thrown?: string
}

/**
 * Loads YAML text in a fresh Node process with a 128 MB heap and a time limit, so a loader that
 * blows up on an alias bomb fails the test instead of hanging or crashing the test worker.
 */
function loadInChild(text: string, timeoutMs = 10_000): ChildResult {
  const script = `
    import { readFileSync } from 'node:fs'
    import { loadPipelineText } from ${JSON.stringify(LOADER_URL)}
    const text = readFileSync(0, 'utf8')
    const t0 = performance.now()
    let out
    try {
      const r = loadPipelineText(text, { envUnset: 'warning' })
      const issues = r.issues.map(({ severity, code, message, line, col }) => ({ severity, code, message, line, col }))
      out = { hasSpec: r.spec !== undefined, issues }
    } catch (e) {
      out = { hasSpec: false, issues: [], thrown: String((e && e.stack) || e) }
    }
    process.stdout.write(JSON.stringify({ ms: performance.now() - t0, ...out }))
  `
  const args = ['--max-old-space-size=128', '--import', 'tsx', '--input-type=module', '-e', script]
  const r = spawnSync(process.execPath, args, {
    cwd: REPO_ROOT,
    input: text,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 2 ** 20,
  })
  if (r.error !== undefined || r.status !== 0) {
    const timedOut = r.error !== undefined && 'code' in r.error && r.error.code === 'ETIMEDOUT'
    const oom = /heap out of memory|heap limit/i.test(r.stderr ?? '')
    const why = timedOut
      ? `still running after ${timeoutMs} ms`
      : oom
        ? 'ran out of memory (128 MB heap)'
        : `exited with ${r.signal ?? r.status}`
    throw new Error(`loadPipelineText ${why} on ${text.length} bytes of YAML:\n${text}`)
  }
  return JSON.parse(r.stdout) as ChildResult
}

/**
 * Loads in-process and checks the invariant; inputs whose aliases expand past ALIAS_LIMIT nodes
 * go to a child process instead (issues and spec presence are checked, planning is not). A failure
 * message carries the exact input, so it can be replayed with loadPipelineText.
 */
function loadAndCheck(text: string, maxParallel?: number): void {
  try {
    if (aliasExpansion(text) > ALIAS_LIMIT) {
      const r = loadInChild(text)
      if (r.thrown !== undefined) fail(`threw in the child process: ${r.thrown}`)
      if (r.ms > 2000) fail(`alias-heavy input took ${Math.round(r.ms)} ms to load`)
      checkIssues(r.issues, r.hasSpec, text)
      return
    }
    checkLoaded(loadPipelineText(text, OPTIONS), text, maxParallel)
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e))
    err.message += `\ninput (JSON string): ${JSON.stringify(text)}`
    throw err
  }
}

// ---------------------------------------------------------------------------------------------
// generators: values and tokens

const words = (s: string) => s.trim().split(/\s+/)
const PROTO_NAMES = words('__proto__ constructor toString hasOwnProperty valueOf prototype')
const TASK_TYPES = words('extract sql transform check load command function noop pipeline')
const SEED_IDS = words(
  'orders customers clean by_country check_clean save_orders users join write start parse raw base copy1 q out only',
)
const DURATIONS = words('5m PT2H 1h30m 0s 0 -1s 8d 7d 999999999d P PT 1.5s 500ms 1e3 soon')
/** One item per line (items may contain spaces). */
const list = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
const CRONS = list(`
  "0 2 * * *"
  "61 2 * * *"
  "@daily"
  "@nope"
  "* * * * * * *"
  "0 0 31 2 *"
  ""
`)
const TEMPLATES = list(`
  "{{ params.min_amount }}"
  "{{ nope }}"
  "{{ params.nope }}"
  "{{ }}"
  "{{ a..b }}"
  "{{ constructor }}"
  "{{ params.constructor }}"
  "{{ params.__proto__ }}"
  "{{ toString }}"
  "\${env:PG_PASSWORD}"
  "\${env:UNSET_FUZZ_VAR}"
  "\${env:}"
  "a\\n\\n\\n\\n\\n{{ nope }}"
  "{{ params.day }}{{ params.day }}"
  "{{ run_id | upper }}"
  "{{ today | bogus(1) }}"
  "{{ params.x | default('a,b') }}"
  "{{ x | default(1, 2"
`)
const SPECIAL_SCALARS = [
  ...words(
    `~ null true false yes no on "" '' .inf -.inf .nan 0 -0 -1 1e400 -1e400 99999999999999999999999`,
  ),
  ...words(
    `9007199254740993 0x7fffffff 0o777 1_000 2024-01-01 2024-13-45 12:30:00 [] {} *undefined_alias`,
  ),
  ...words(`&x *x "unterminated 'unterminated @reserved \`tick |+ >-`),
  ...list(`
    [a, [b, [c]]]
    {a: {b: {c: d}}}
    [null, 1, "x", {k: v}]
    !!binary aGVsbG8=
    !!set {a, b}
    !!omap [a: 1, b: 2]
    !!str 12
    !!int "x"
    !!float abc
    !custom y
    !!map {}
    !!seq []
    ? a
    - a
  `),
  '|\n  block text',
  '>-\n  folded',
]
const TOKENS = [
  ...words(
    `{{ }} \${env: \${env:PG_PASSWORD} } : - [ ] { , *a *b # " ' | > % @ \` --- ... ~ .nan 1e400`,
  ),
  ...words(`99999999999999999999 é 日本語 🦀 \\n`),
  ...[
    ': ',
    '- ',
    '&a ',
    '&b ',
    '<<: *a',
    '? ',
    '!!str ',
    '!!binary ',
    '!tag ',
    '{{ params.min_amount }}',
  ],
  ...['\t', '%YAML 1.2\n---\n', '\u0000', '\uFEFF', '\u202E', '\r', '\r\n', '\n'],
  ...PROTO_NAMES,
]
const KEYS = [
  ...words(
    `depend_on retires dependsOn x-extra type depends_on tasks name params input pool estimate`,
  ),
  ...words(`priority tags "a.b" "[0]" 1 null ~ "" << é`),
  ...['"quoted key"', '"with space"', '? [a, b]'],
  ...PROTO_NAMES,
]
const IDS = [
  ...SEED_IDS,
  ...words('new_task _x x-y 9lives a.b tasks é'),
  ...['Bad Id', '', 'x'.repeat(300)],
  ...PROTO_NAMES,
]

const yamlNumber = (n: number) =>
  Number.isNaN(n) ? '.nan' : n === Infinity ? '.inf' : n === -Infinity ? '-.inf' : String(n)

function nested(depth: number, kind: number): string {
  if (kind === 0) return '['.repeat(depth) + ']'.repeat(depth)
  if (kind === 1) return '{a: '.repeat(depth) + '1' + '}'.repeat(depth)
  return '['.repeat(depth) + '{k: v}' + ']'.repeat(depth)
}

/** A value as YAML text: typed scalars, odd strings, templates, collections, deep nesting. */
const yamlValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...SPECIAL_SCALARS), weight: 4 },
  { arbitrary: fc.constantFrom(...TEMPLATES), weight: 3 },
  { arbitrary: fc.constantFrom(...DURATIONS, ...CRONS, ...TASK_TYPES, 'bogus', ...IDS), weight: 3 },
  { arbitrary: fc.integer().map(String), weight: 1 },
  { arbitrary: fc.double().map(yamlNumber), weight: 1 },
  { arbitrary: fc.bigInt().map(String), weight: 1 },
  {
    arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => JSON.stringify(s)),
    weight: 2,
  },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
  {
    arbitrary: fc
      .array(fc.constantFrom(...IDS.slice(0, 20), '1', 'null', '[x]'), { maxLength: 6 })
      .map((a) => `[${a.join(', ')}]`),
    weight: 2,
  },
  {
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 300 }), fc.nat(2)).map(([d, k]) => nested(d, k)),
    weight: 1,
  },
  { arbitrary: fc.nat(5000).map((n) => 'x'.repeat(n)), weight: 1 },
)

const token: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...TOKENS), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), weight: 1 },
)

// ---------------------------------------------------------------------------------------------
// text mutations

type TextOp =
  | { k: 'del'; a: number }
  | { k: 'dup'; a: number }
  | { k: 'swap'; a: number; b: number }
  | { k: 'move'; a: number; b: number }
  | { k: 'indent'; a: number; d: number }
  | { k: 'tab'; a: number }
  | { k: 'insert'; a: number; b: number; s: string }
  | { k: 'cut'; a: number; b: number; n: number }
  | { k: 'value'; a: number; v: string }
  | { k: 'key'; a: number; key: string; v: string }
  | { k: 'line'; a: number; s: string }
  | { k: 'rename'; a: number; id: string; all: boolean }
  | { k: 'dep'; a: number; b: number; mode: 'self' | 'other' | 'missing' | 'cycle' | 'clear' }
  | { k: 'alias'; a: number; b: number; name: string; merge: boolean }
  | { k: 'nest'; a: number; depth: number; kind: number }
  | { k: 'truncate'; frac: number }
  | { k: 'doc'; s: string }

const nat = fc.nat(1000)
const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  fc.record({ k: fc.constant('del' as const), a: nat }),
  fc.record({ k: fc.constant('dup' as const), a: nat }),
  fc.record({ k: fc.constant('swap' as const), a: nat, b: nat }),
  fc.record({ k: fc.constant('move' as const), a: nat, b: nat }),
  fc.record({ k: fc.constant('indent' as const), a: nat, d: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ k: fc.constant('tab' as const), a: nat }),
  {
    arbitrary: fc.record({ k: fc.constant('insert' as const), a: nat, b: fc.nat(120), s: token }),
    weight: 3,
  },
  fc.record({
    k: fc.constant('cut' as const),
    a: nat,
    b: fc.nat(120),
    n: fc.integer({ min: 1, max: 40 }),
  }),
  { arbitrary: fc.record({ k: fc.constant('value' as const), a: nat, v: yamlValue }), weight: 4 },
  {
    arbitrary: fc.record({
      k: fc.constant('key' as const),
      a: nat,
      key: fc.constantFrom(...KEYS),
      v: yamlValue,
    }),
    weight: 2,
  },
  fc.record({
    k: fc.constant('line' as const),
    a: nat,
    s: fc.oneof(token, fc.string({ unit: 'binary', maxLength: 40 })),
  }),
  {
    arbitrary: fc.record({
      k: fc.constant('rename' as const),
      a: nat,
      id: fc.constantFrom(...IDS),
      all: fc.boolean(),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('dep' as const),
      a: nat,
      b: nat,
      mode: fc.constantFrom(
        'self' as const,
        'other' as const,
        'missing' as const,
        'cycle' as const,
        'clear' as const,
      ),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('alias' as const),
      a: nat,
      b: nat,
      name: fc.constantFrom('a', 'b', 'x1'),
      merge: fc.boolean(),
    }),
    weight: 2,
  },
  fc.record({
    k: fc.constant('nest' as const),
    a: nat,
    depth: fc.integer({ min: 1, max: 400 }),
    kind: fc.nat(2),
  }),
  fc.record({
    k: fc.constant('truncate' as const),
    frac: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({
    k: fc.constant('doc' as const),
    s: fc.constantFrom(
      '---\n',
      '...\n',
      '--- !!map\n',
      '%YAML 1.1\n---\n',
      '%TAG ! tag:x,2024:\n---\n',
      '---\nname: second\n',
    ),
  }),
)

const VALUE_LINE = /^(\s*(?:- )?[^\s#][^#]*?:[ \t]+)(\S.*)$/
const ITEM_LINE = /^(\s*- )(\S.*)$/
const TASK_HEADER = /^ {2}([^\s:#][^:#]*):(.*)$/

/** Task header lines: two-space-indented keys after a top-level `tasks:` line. */
function taskHeaders(lines: readonly string[]): { line: number; id: string; rest: string }[] {
  const out: { line: number; id: string; rest: string }[] = []
  let inTasks = false
  lines.forEach((l, i) => {
    if (/^\S/.test(l)) inTasks = /^tasks:\s*$/.test(l)
    else if (inTasks) {
      const m = TASK_HEADER.exec(l)
      if (m) out.push({ line: i, id: m[1]!, rest: m[2]! })
    }
  })
  return out
}

function findLine(lines: readonly string[], start: number, re: RegExp): number {
  for (let k = 0; k < lines.length; k++) {
    const i = (start + k) % lines.length
    if (re.test(lines[i]!)) return i
  }
  return -1
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Sets (or replaces) the depends_on of the task whose header is at `h`. */
function setDeps(lines: string[], h: number, deps: string): void {
  const header = lines[h]!
  const flow = /^(\s*[^:]+:\s*)\{(.*)\}\s*$/.exec(header)
  if (flow) {
    const body = flow[2]!.replace(/,?\s*depends_on:\s*(\[[^\]]*\]|[^,}]*)/, '')
    lines[h] = `${flow[1]}{ depends_on: ${deps}, ${body.replace(/^\s*,/, '')} }`
    return
  }
  for (let i = h + 1; i < lines.length && /^ {4}/.test(lines[i]!); i++) {
    if (/^ {4}depends_on:/.test(lines[i]!)) {
      lines[i] = `    depends_on: ${deps}`
      return
    }
  }
  lines.splice(h + 1, 0, `    depends_on: ${deps}`)
}

function applyTextOp(text: string, op: TextOp): string {
  const lines = text.split('\n')
  const n = lines.length
  const at = (x: number) => x % n
  switch (op.k) {
    case 'del':
      lines.splice(at(op.a), 1)
      break
    case 'dup':
      lines.splice(at(op.a), 0, lines[at(op.a)]!)
      break
    case 'swap': {
      const [i, j] = [at(op.a), at(op.b)]
      ;[lines[i], lines[j]] = [lines[j]!, lines[i]!]
      break
    }
    case 'move': {
      const [l] = lines.splice(at(op.a), 1)
      lines.splice(op.b % (lines.length + 1), 0, l!)
      break
    }
    case 'indent': {
      const i = at(op.a)
      lines[i] =
        op.d >= 0
          ? ' '.repeat(op.d) + lines[i]!
          : lines[i]!.replace(new RegExp(`^ {0,${-op.d}}`), '')
      break
    }
    case 'tab':
      lines[at(op.a)] = lines[at(op.a)]!.replace(/^( *)/, (m) => '\t' + m.slice(2))
      break
    case 'insert': {
      const i = at(op.a)
      const l = lines[i]!
      const c = op.b % (l.length + 1)
      lines[i] = l.slice(0, c) + op.s + l.slice(c)
      break
    }
    case 'cut': {
      const i = at(op.a)
      const l = lines[i]!
      const c = op.b % (l.length + 1)
      lines[i] = l.slice(0, c) + l.slice(c + op.n)
      break
    }
    case 'value': {
      const i = findLine(lines, at(op.a), /^(\s*(?:- )?[^\s#][^#]*?:[ \t]+)(\S.*)$|^(\s*- )(\S.*)$/)
      if (i === -1) break
      const m = VALUE_LINE.exec(lines[i]!) ?? ITEM_LINE.exec(lines[i]!)
      if (m) lines[i] = m[1]! + op.v
      break
    }
    case 'key': {
      const i = at(op.a)
      const indent = /^\s*/.exec(lines[i]!)![0]
      lines.splice(i + 1, 0, `${indent}${op.key}: ${op.v}`)
      break
    }
    case 'line':
      lines.splice(op.a % (n + 1), 0, op.s)
      break
    case 'rename': {
      const tasks = taskHeaders(lines)
      if (tasks.length === 0) break
      const t = tasks[op.a % tasks.length]!
      if (op.all) {
        const re = new RegExp(`(?<![\\w-])${escapeRe(t.id)}(?![\\w-])`, 'g')
        return lines.map((l) => l.replace(re, op.id)).join('\n')
      }
      lines[t.line] = `  ${op.id}:${t.rest}`
      break
    }
    case 'dep': {
      const tasks = taskHeaders(lines)
      if (tasks.length === 0) break
      const t = tasks[op.a % tasks.length]!
      const u = tasks[op.b % tasks.length]!
      if (op.mode === 'self') setDeps(lines, t.line, `[${t.id}]`)
      else if (op.mode === 'other') setDeps(lines, t.line, `[${u.id}]`)
      else if (op.mode === 'missing')
        setDeps(lines, t.line, `[${t.id}_missing, ${u.id.slice(0, -1)}]`)
      else if (op.mode === 'clear') setDeps(lines, t.line, '[]')
      else {
        // t -> u -> t (lines move when a depends_on line is inserted: find the headers again)
        setDeps(lines, t.line, `[${u.id}]`)
        const again = taskHeaders(lines).find((x) => x.id === u.id)
        if (again) setDeps(lines, again.line, `[${t.id}]`)
      }
      break
    }
    case 'alias': {
      const i = findLine(lines, at(op.a), VALUE_LINE)
      const j = findLine(lines, at(op.b), VALUE_LINE)
      if (i === -1 || j === -1) break
      const mi = VALUE_LINE.exec(lines[i]!)!
      lines[i] = `${mi[1]}&${op.name} ${mi[2]}`
      if (op.merge) {
        const indent = /^\s*/.exec(lines[j]!)![0]
        lines.splice(j + 1, 0, `${indent}<<: *${op.name}`)
      } else if (j !== i) lines[j] = `${VALUE_LINE.exec(lines[j]!)![1]}*${op.name}`
      break
    }
    case 'nest': {
      const i = findLine(lines, at(op.a), VALUE_LINE)
      if (i !== -1) lines[i] = VALUE_LINE.exec(lines[i]!)![1]! + nested(op.depth, op.kind)
      break
    }
    case 'truncate':
      return text.slice(0, Math.floor(text.length * op.frac))
    case 'doc':
      return op.s + text
  }
  return lines.join('\n')
}

// ---------------------------------------------------------------------------------------------
// structural mutations: edit the parsed object, then write it back as YAML

type Path = (string | number)[]
type ObjOp =
  | { k: 'set'; p: number; v: unknown }
  | { k: 'del'; p: number }
  | { k: 'addKey'; p: number; key: string; v: unknown }
  | { k: 'renameTask'; a: number; id: string; refs: boolean }
  | { k: 'dep'; a: number; b: number }
  | { k: 'cycle'; chain: number[] }
  | { k: 'type'; a: number; t: string }
  | { k: 'share'; p: number; q: number }

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

function allPaths(v: unknown, base: Path = [], out: Path[] = []): Path[] {
  out.push(base)
  if (Array.isArray(v)) v.forEach((x, i) => allPaths(x, [...base, i], out))
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) allPaths(x, [...base, k], out)
  return out
}

function getAt(root: unknown, path: Path): unknown {
  let cur = root
  for (const s of path) cur = (cur as Record<string | number, unknown>)[s]
  return cur
}

function setAt(root: unknown, path: Path, value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>
  Object.defineProperty(parent, path[path.length - 1]!, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}

function isCyclic(v: unknown, seen = new Set<unknown>()): boolean {
  if (v === null || typeof v !== 'object') return false
  if (seen.has(v)) return true
  seen.add(v)
  const kids = Array.isArray(v) ? (v as unknown[]) : Object.values(v)
  const cyclic = kids.some((x) => isCyclic(x, seen))
  seen.delete(v)
  return cyclic
}

function applyObjOp(root: Record<string, unknown>, op: ObjOp): void {
  const paths = allPaths(root)
  const tasks = isObj(root.tasks) ? root.tasks : undefined
  const ids = tasks ? Object.keys(tasks) : []
  const task = (i: number) => (tasks && ids.length > 0 ? tasks[ids[i % ids.length]!] : undefined)
  switch (op.k) {
    case 'set': {
      const p = paths[op.p % paths.length]!
      if (p.length > 0) setAt(root, p, op.v)
      break
    }
    case 'del': {
      const p = paths[op.p % paths.length]!
      if (p.length === 0) break
      const parent = getAt(root, p.slice(0, -1))
      if (Array.isArray(parent)) parent.splice(p[p.length - 1] as number, 1)
      else delete (parent as Record<string, unknown>)[p[p.length - 1] as string]
      break
    }
    case 'addKey': {
      const target = getAt(root, paths[op.p % paths.length]!)
      if (isObj(target))
        Object.defineProperty(target, op.key, {
          value: op.v,
          enumerable: true,
          writable: true,
          configurable: true,
        })
      break
    }
    case 'renameTask': {
      if (!tasks || ids.length === 0) break
      const old = ids[op.a % ids.length]!
      const renamed: Record<string, unknown> = {}
      for (const id of ids)
        Object.defineProperty(renamed, id === old ? op.id : id, {
          value: tasks[id],
          enumerable: true,
          writable: true,
          configurable: true,
        })
      if (op.refs) {
        for (const t of Object.values(renamed)) {
          if (!isObj(t)) continue
          if (t.depends_on === old) t.depends_on = op.id
          else if (Array.isArray(t.depends_on))
            t.depends_on = t.depends_on.map((d) => (d === old ? op.id : d) as unknown)
          if (t.input === old) t.input = op.id
        }
      }
      root.tasks = renamed
      break
    }
    case 'dep': {
      const t = task(op.a)
      if (!isObj(t)) break
      const target = op.b % (ids.length + 2)
      const dep =
        target === ids.length
          ? 'no_such_task'
          : target === ids.length + 1
            ? ids[op.a % ids.length]!
            : ids[target]!
      t.depends_on = Array.isArray(t.depends_on)
        ? [...(t.depends_on as unknown[]), dep]
        : typeof t.depends_on === 'string'
          ? [t.depends_on, dep]
          : dep
      break
    }
    case 'cycle': {
      if (ids.length === 0) break
      const chain = op.chain.map((c) => ids[c % ids.length]!)
      chain.forEach((id, k) => {
        const t = tasks![id]
        if (isObj(t)) t.depends_on = [chain[(k + 1) % chain.length]!]
      })
      break
    }
    case 'type': {
      const t = task(op.a)
      if (isObj(t)) t.type = op.t
      break
    }
    case 'share': {
      const p = paths[op.p % paths.length]!
      const q = paths[op.q % paths.length]!
      if (q.length === 0) break
      const before = getAt(root, q)
      setAt(root, q, getAt(root, p))
      if (isCyclic(root)) setAt(root, q, before)
      break
    }
  }
}

const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
  {
    arbitrary: fc.constantFrom<unknown>(
      ...IDS,
      ...TASK_TYPES,
      ...DURATIONS,
      '0 2 * * *',
      '@daily',
      '{{ params.min_amount }}',
      '{{ nope }}',
      '${env:PG_PASSWORD}',
      '${env:UNSET_FUZZ_VAR}',
      '',
      ' ',
      null,
      true,
      0,
      -1,
      1e308,
      Number.MAX_SAFE_INTEGER + 2,
      1.5,
      [],
      {},
    ),
    weight: 3,
  },
  { arbitrary: fc.array(fc.constantFrom(...IDS.slice(0, 20)), { maxLength: 5 }), weight: 2 },
)

const objOp: fc.Arbitrary<ObjOp> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('set' as const), p: nat, v: jsonish }), weight: 4 },
  { arbitrary: fc.record({ k: fc.constant('del' as const), p: nat }), weight: 2 },
  {
    arbitrary: fc.record({
      k: fc.constant('addKey' as const),
      p: nat,
      key: fc.constantFrom(...KEYS.map((k) => k.replace(/^"|"$/g, ''))),
      v: jsonish,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('renameTask' as const),
      a: nat,
      id: fc.constantFrom(...IDS),
      refs: fc.boolean(),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ k: fc.constant('dep' as const), a: nat, b: nat }), weight: 3 },
  {
    arbitrary: fc.record({
      k: fc.constant('cycle' as const),
      chain: fc.array(nat, { minLength: 1, maxLength: 4 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('type' as const),
      a: nat,
      t: fc.constantFrom(...TASK_TYPES, 'bogus', 'Noop', '', ...PROTO_NAMES),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ k: fc.constant('share' as const), p: nat, q: nat }), weight: 1 },
)

// ---------------------------------------------------------------------------------------------
// random objects for loadPipelineSpec

const anyValue = fc.anything({
  maxDepth: 4,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withObjectString: true,
  withNullPrototype: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  stringUnit: 'grapheme',
})

const specShaped = fc.record(
  {
    name: fc.oneof(fc.constantFrom('ok', 'Bad Name', '', 'x'.repeat(500)), anyValue),
    description: anyValue,
    params: fc.oneof(
      fc.dictionary(fc.constantFrom('a', 'b', 'bad-name', ...PROTO_NAMES), jsonish),
      anyValue,
    ),
    max_parallel: fc.oneof(fc.integer(), anyValue),
    schedule: fc.oneof(fc.constantFrom('0 2 * * *', '@hourly', 'nope', '61 * * * *'), anyValue),
    defaults: fc.oneof(
      fc.record(
        { retries: jsonish, timeout: jsonish, pool: jsonish, tags: jsonish },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
    tasks: fc.dictionary(
      fc.constantFrom(...IDS),
      fc.oneof(
        fc.record(
          {
            type: fc.constantFrom(...TASK_TYPES, 'bogus'),
            depends_on: fc.oneof(
              fc.constantFrom(...IDS),
              fc.array(fc.constantFrom(...IDS), { maxLength: 4 }),
              anyValue,
            ),
            command: fc.oneof(fc.constant('true'), jsonish),
            sql: fc.oneof(fc.constant('select 1'), jsonish),
            module: fc.constantFrom('./m.ts', ''),
            pipeline: fc.constant('other'),
            source: fc.oneof(fc.record({ path: fc.constant('a.csv') }), jsonish),
            destination: fc.oneof(fc.record({ path: fc.constant('b.csv') }), jsonish),
            checks: fc.oneof(fc.constant([{ name: 'c' }]), jsonish),
            estimate: jsonish,
            priority: jsonish,
            tags: jsonish,
            extra: anyValue,
          },
          { requiredKeys: ['type'] },
        ),
        anyValue,
      ),
      { maxKeys: 8 },
    ),
  },
  { requiredKeys: ['tasks'] },
)

// ---------------------------------------------------------------------------------------------

const seed = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) }
const runs = (n: number) => ({
  numRuns: Math.round(n * Number(process.env.FUZZ_SCALE ?? 1)),
  ...seed,
})
const FUZZ_TIMEOUT = 180_000 * Number(process.env.FUZZ_SCALE ?? 1)

describe('loader fuzz', () => {
  it('every seed pipeline is valid and plans', () => {
    for (const text of SEEDS) {
      const loaded = loadPipelineText(text, OPTIONS)
      expect(loaded.issues.filter((i) => i.severity === 'error')).toEqual([])
      expect(loaded.spec).toBeDefined()
      checkLoaded(loaded, text)
    }
  })

  it(
    'mutated YAML text never throws and gives consistent results (5000 runs)',
    () => {
      fc.assert(
        fc.property(
          fc.nat(SEEDS.length - 1),
          fc.array(textOp, { minLength: 1, maxLength: 8 }),
          fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
          (s, ops, maxParallel) => {
            const text = ops.reduce(applyTextOp, SEEDS[s]!)
            loadAndCheck(text, maxParallel)
          },
        ),
        runs(5000),
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'structurally mutated pipelines never throw, as YAML or as objects (3000 runs)',
    () => {
      fc.assert(
        fc.property(
          fc.nat(SEEDS.length - 1),
          fc.array(objOp, { minLength: 1, maxLength: 8 }),
          fc.array(textOp, { maxLength: 2 }),
          (s, ops, textOps) => {
            const obj = parse(SEEDS[s]!, { merge: true }) as Record<string, unknown>
            for (const op of ops) applyObjOp(obj, op)
            const text = textOps.reduce(applyTextOp, stringify(obj))
            loadAndCheck(text)
            const fromObject = loadPipelineSpec(obj, OPTIONS)
            checkLoaded(fromObject, fromObject.source)
          },
        ),
        runs(3000),
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'random JS values through loadPipelineSpec never throw (1000 runs)',
    () => {
      fc.assert(
        fc.property(fc.oneof(anyValue, fc.object({ maxDepth: 3 })), (value) => {
          const loaded = loadPipelineSpec(value, OPTIONS)
          checkLoaded(loaded, loaded.source)
        }),
        runs(1000),
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'random spec-shaped objects through loadPipelineSpec never throw (1000 runs)',
    () => {
      fc.assert(
        fc.property(
          specShaped,
          fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
          (value, maxParallel) => {
            const loaded = loadPipelineSpec(value, OPTIONS)
            checkLoaded(loaded, loaded.source, maxParallel)
          },
        ),
        runs(1000),
      )
    },
    FUZZ_TIMEOUT,
  )
})

// ---------------------------------------------------------------------------------------------
// targeted cases: alias bombs, deep nesting, values JSON cannot hold, and what fuzzing found

function billionLaughs(levels: number, where: 'top' | 'task'): string {
  const ten = (x: string) => Array.from({ length: 10 }, () => x).join(', ')
  const anchors = [`&a0 [${ten('lol')}]`]
  for (let i = 1; i < levels; i++) anchors.push(`&a${i} [${ten(`*a${i - 1}`)}]`)
  if (where === 'top') {
    const keys = anchors.map((a, i) => `a${i}: ${a}`).join('\n')
    return `name: lol\n${keys}\ntasks:\n  t: { type: noop, tags: *a${levels - 1} }\n`
  }
  return `name: lol\ntasks:\n  t:\n    type: noop\n    tags:\n${anchors.map((a) => `      - ${a}`).join('\n')}\n`
}

const mergeDoubling = (n: number) =>
  `name: x\nm0: &m0 { k: v }\n${Array.from({ length: n }, (_, i) => `m${i + 1}: &m${i + 1} { <<: [*m${i}, *m${i}] }`).join('\n')}\ntasks:\n  a: { type: noop }\n`

describe('loader: alias bombs terminate fast (each in a child process)', () => {
  const bombs: Record<string, string> = {
    'billion laughs, 9 levels of 10, under top-level keys': billionLaughs(9, 'top'),
    'billion laughs inside a task': billionLaughs(9, 'task'),
    'self-referencing sequence anchor': 'name: x\nx: &a [*a, *a]\ntasks:\n  a: { type: noop }\n',
    'self-referencing map anchor': 'name: x\ntasks:\n  a: &m { type: noop, tags: [*m, *m] }\n',
    'a task that merges itself and refers to itself (found by the fuzzer)':
      'name: x\ntasks:\n  base: &base\n    type: command\n    <<: *base\n    x: *base\n',
    'merge keys that double 30 times': mergeDoubling(30),
  }
  for (const [label, text] of Object.entries(bombs)) {
    it(`${label} (${text.length} bytes): an error in under 2 s`, () => {
      const r = loadInChild(text)
      expect(r.thrown).toBeUndefined()
      expect(r.ms).toBeLessThan(2000)
      checkIssues(r.issues, r.hasSpec, text)
      expect(r.hasSpec).toBe(false)
    }, 30_000)
  }

  it('an alias used a few times still loads (in-process)', () => {
    const text =
      'name: x\ntasks:\n  a: { type: noop, tags: &t [p, q] }\n  b: { type: noop, tags: *t, depends_on: [a] }\n'
    const loaded = loadPipelineText(text, OPTIONS)
    checkLoaded(loaded, text)
    expect(loaded.spec?.tasks.b?.tags).toEqual(['p', 'q'])
  })
})

describe('loader: deep nesting and values JSON cannot hold', () => {
  for (const depth of [100, 1000, 5000]) {
    it(`YAML nested ${depth} deep does not throw`, () => {
      const block = Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')
      for (const text of [
        `name: x\nx: ${nested(depth, 0)}\ntasks:\n  a: { type: noop }\n`,
        `name: x\ntasks:\n  a: { type: noop, tags: ${nested(depth, 1)} }\n`,
        `name: x\nx:\n${block}\ntasks:\n  a: { type: noop }\n`,
      ]) {
        checkLoaded(loadPipelineText(text, OPTIONS), text)
      }
    })

    it(`an object nested ${depth} deep does not throw`, () => {
      let deep: unknown = 'leaf'
      for (let i = 0; i < depth; i++) deep = [deep]
      const spec = { name: 'x', extra: deep, tasks: { a: { type: 'noop', tags: deep } } }
      const loaded = loadPipelineSpec(spec, OPTIONS)
      checkLoaded(loaded, loaded.source)
    })
  }

  it('a spec object holding a BigInt does not throw', () => {
    const loaded = loadPipelineSpec({ name: 'x', tasks: { a: { type: 'noop', priority: 1n } } })
    checkLoaded(loaded, loaded.source)
  })

  it('a spec object with a reference cycle does not throw', () => {
    const cyclic: Record<string, unknown> = { name: 'x', tasks: { a: { type: 'noop' } } }
    cyclic.self = cyclic
    const loaded = loadPipelineSpec(cyclic)
    checkLoaded(loaded, loaded.source)
  })
})

/** Minimal inputs the fuzzer found; each must load without throwing and satisfy the invariant. */
describe('loader: fuzz findings', () => {
  const cases: Record<string, string> = {
    'a repeated key in a task': 'name: m\ntasks:\n  only:\n    type: noop\n    type: noop\n',
    'a repeated top-level key': 'name: x\nname: y\ntasks:\n  a: { type: noop }\n',
    'a repeated task id': 'name: x\ntasks:\n  a: { type: noop }\n  a: { type: noop }\n',
    'an unquoted template': 'name: x\ntasks:\n  a: { type: command, command: {{ run_id }} }\n',
    'a task param named like an Object.prototype member':
      'name: x\ntasks:\n  a:\n    type: noop\n    params: { constructor: 1 }\n',
    'a task param named valueOf': 'name: x\ntasks:\n  a: { type: noop, params: { valueOf: 1 } }\n',
    'a template after \\n escapes in a double-quoted string':
      'name: "a\\n\\n\\n\\n\\n{{ nope }}"\n',
    'a task type named like an Object.prototype member':
      'name: x\ntasks:\n  a:\n    type: constructor\n',
  }
  for (const [label, text] of Object.entries(cases)) {
    it(label, () => checkLoaded(loadPipelineText(text, OPTIONS), text))
  }
})
