import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatIssue } from '../../../src/core/validation-issue.js'
import { loadPipelineFile, loadPipelineText } from '../../../src/definition/load-pipeline.js'
import { planLoaded } from '../../../src/definition/plan-loaded.js'

const fixtures = join(import.meta.dirname, '../../fixtures')
const load = (text: string, opts = {}) =>
  loadPipelineText(text, { displayName: 'p.yaml', env: {}, ...opts })
const codes = (text: string, opts = {}) => load(text, opts).issues.map((i) => i.code)

describe('loading YAML pipelines', () => {
  it('accepts the quickstart example and keeps its source and hash', async () => {
    const l = await loadPipelineFile(join(fixtures, '../../examples/quickstart/pipeline.yaml'))
    expect(l.issues.filter((i) => i.severity === 'error')).toEqual([])
    expect(l.spec?.name).toBe('orders_daily')
    expect(Object.keys(l.spec!.tasks)).toHaveLength(8)
    expect(l.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(l.source).toContain('{{ params.min_amount }}')
  })

  it('reports a cycle, a missing dependency, a duplicate id and a bad cron together, with lines', async () => {
    const l = await loadPipelineFile(join(fixtures, 'four-errors.yaml'), {
      displayName: 'four-errors.yaml',
    })
    expect(l.spec).toBeUndefined()
    const lines = l.issues.map(formatIssue)
    expect(l.issues.map((i) => [i.code, i.line])).toEqual([
      ['E_CRON_INVALID', 2],
      ['E_DEP_MISSING', 9],
      ['E_CYCLE', 13],
      ['E_TASK_DUPLICATE', 17],
    ])
    expect(lines[1]).toBe(
      'four-errors.yaml:9:18 error E_DEP_MISSING task transform depends on "extract_ordrs", which is not a task; did you mean `extract_orders`? [tasks.transform.depends_on[0]]',
    )
    expect(lines[2]).toContain('dependency cycle: a -> b -> a')
  })

  it('suggests the right key for a typo and names the task', () => {
    const l = load('name: p\ntasks:\n  t:\n    type: noop\n    depnds_on: [x]\n')
    expect(l.issues).toHaveLength(1)
    expect(l.issues[0]).toMatchObject({
      code: 'E_SCHEMA_UNKNOWN_KEY',
      line: 5,
      col: 5,
      suggestion: 'did you mean `depends_on`?',
    })
    expect(l.issues[0]!.message).toContain('in task t')
  })

  it('reports an unknown task type with a suggestion, and a missing type', () => {
    const l = load('name: p\ntasks:\n  t:\n    type: extrct\n  u:\n    depends_on: [t]\n')
    expect(l.issues.map((i) => [i.code, i.line, i.suggestion])).toEqual([
      ['E_TASK_TYPE_UNKNOWN', 4, 'did you mean `extract`?'],
      ['E_SCHEMA_REQUIRED', 5, expect.stringContaining('types: extract')],
    ])
  })

  it('reports wrong types and missing required keys', () => {
    const l = load(
      'name: p\nmax_parallel: lots\ntasks:\n  t:\n    type: load\n    depends_on: t2\n  t2:\n    type: command\n',
    )
    expect(l.issues.map((i) => i.code).sort()).toEqual([
      'E_SCHEMA_REQUIRED',
      'E_SCHEMA_REQUIRED',
      'E_SCHEMA_TYPE',
    ])
    expect(l.issues.find((i) => i.code === 'E_SCHEMA_TYPE')).toMatchObject({
      line: 2,
      path: 'max_parallel',
    })
  })

  it('reports a self-dependency, not a cycle', () => {
    expect(codes('name: p\ntasks:\n  t:\n    type: noop\n    depends_on: [t]\n')).toEqual([
      'E_DEP_SELF',
    ])
  })

  it('reports every cycle with its full path', () => {
    const l = load(
      'name: p\ntasks:\n  a: {type: noop, depends_on: [c]}\n  b: {type: noop, depends_on: [a]}\n  c: {type: noop, depends_on: [b]}\n  x: {type: noop, depends_on: [y]}\n  y: {type: noop, depends_on: [x]}\n  z: {type: noop, depends_on: [a]}\n',
    )
    const msgs = l.issues.map((i) => `${i.code} ${i.message}`)
    expect(msgs).toContain('E_CYCLE dependency cycle: a -> c -> b -> a')
    expect(msgs).toContain('E_CYCLE dependency cycle: x -> y -> x')
    expect(msgs).toContain(
      'W_UNREACHABLE task z can never run: it is downstream of a dependency cycle',
    )
  })

  it('checks timeouts, retries and durations', () => {
    const l = load(
      'name: p\ntasks:\n  a: {type: noop, timeout: 0s}\n  b: {type: noop, timeout: 30d}\n  c: {type: noop, retries: 0}\n  d: {type: noop, retries: {max_attempts: 500}}\n  e: {type: noop, timeout: soon}\n  f: {type: noop, retries: {initial_delay: 10m, max_delay: 1m}}\n',
    )
    expect(l.issues.map((i) => [i.code, i.line])).toEqual([
      ['E_TIMEOUT_RANGE', 3],
      ['E_TIMEOUT_RANGE', 4],
      ['E_RETRIES_RANGE', 5],
      ['E_RETRIES_RANGE', 6],
      ['E_DURATION_INVALID', 7],
      ['E_RETRIES_RANGE', 8],
    ])
  })

  it('reports malformed YAML with its position and stops there', () => {
    const l = load('name: p\ntasks:\n  a: {type: noop\n  b: [\n')
    expect(l.spec).toBeUndefined()
    expect(l.issues[0]!.code).toBe('E_YAML_SYNTAX')
    expect(l.issues[0]!.line).toBeGreaterThanOrEqual(3)
  })

  it('explains an unquoted template instead of a confusing type error', () => {
    const l = load(
      'name: p\nparams: {t: {type: duration, default: 5m}}\ntasks:\n  a:\n    type: noop\n    timeout: {{ params.t }}\n',
    )
    expect(l.issues[0]).toMatchObject({
      code: 'E_TEMPLATE_UNQUOTED',
      line: 6,
      suggestion: 'put it in quotes: "{{ params.t }}"',
    })
  })

  it('reports a missing file and an unsupported extension', async () => {
    expect((await loadPipelineFile(join(fixtures, 'nope.yaml'))).issues[0]!.code).toBe(
      'E_FILE_NOT_FOUND',
    )
    expect((await loadPipelineFile(join(fixtures, 'x.toml'))).issues[0]!.code).toBe('E_FILE_TYPE')
  })

  it('checks connections, pools, sources, destinations and inputs', () => {
    const l = load(`name: p
connections:
  wh: postgres://localhost/db
  odd: postgress://localhost/db
tasks:
  a: {type: extract, source: {connection: whh, table: t}}
  b: {type: extract, source: {path: x.csv, connection: wh}}
  c: {type: extract, source: {connection: wh}}
  d: {type: load, depends_on: [a, b], destination: {connection: wh, table: t, mode: merge}}
  e: {type: load, depends_on: [a], input: b, destination: {path: out.csv}, pool: wh2}
`)
    const got = l.issues.map((i) => `${i.code}@${i.line}${i.suggestion ? ' ' + i.suggestion : ''}`)
    expect(got).toEqual([
      'E_CONNECTOR_UNKNOWN@4 did you mean `postgres`?',
      'E_CONNECTION_UNKNOWN@6 did you mean `wh`?',
      'E_SCHEMA_REQUIRED@7',
      'E_SCHEMA_REQUIRED@8',
      'E_INPUT_INVALID@9 say which one with input:',
      'E_SCHEMA_REQUIRED@9',
      'E_INPUT_INVALID@10 add "b" to depends_on',
      'E_POOL_UNKNOWN@10 did you mean `wh`?',
    ])
  })
})

describe('parameters, templates and secrets', () => {
  const base = `name: p
params:
  day: { type: date, default: "{{ today }}" }
  limit: { type: integer, default: 10 }
  label: "{{ params.region }}-{{ params.limit }}"
  region: eu
tasks:
  a:
    type: command
    command: "echo {{ params.label }} {{ params.day }} {{ run_id }}"
  b:
    type: command
    depends_on: [a]
    params: { limit: 20 }
    command: "echo {{ params.limit }}"
`
  const cmd = (l: ReturnType<typeof load>, id: string) =>
    (l.spec!.tasks[id] as { command: string }).command

  it('resolves nested defaults and built-ins', () => {
    const l = load(base, { run: { runId: 'r1', logicalDate: new Date('2026-03-04T05:00:00Z') } })
    expect(l.issues).toEqual([])
    expect(cmd(l, 'a')).toBe('echo eu-10 2026-03-04 r1')
  })

  it('applies precedence: command line > task > pipeline > default', () => {
    expect(cmd(load(base), 'b')).toBe('echo 20')
    expect(cmd(load(base, { params: { limit: '30' } }), 'b')).toBe('echo 30')
    expect(cmd(load(base, { params: { limit: '30' } }), 'a')).toMatch(/^echo eu-30 /)
  })

  it('type-checks command-line values and names unknown ones', () => {
    const l = load(base, { params: { limit: 'many', regoin: 'us' } })
    expect(l.issues.map((i) => [i.code, i.suggestion])).toEqual([
      ['E_PARAM_TYPE', undefined],
      ['E_PARAM_UNDECLARED', 'did you mean `region`?'],
    ])
  })

  it('names a missing required parameter', () => {
    const l = load(
      'name: p\nparams:\n  day: { type: date }\ntasks:\n  a: {type: command, command: "echo {{ params.day }}"}\n',
    )
    expect(l.issues.map((i) => [i.code, i.message, i.line])).toEqual([
      ['E_PARAM_MISSING', 'param day is required and has no value', 3],
    ])
  })

  it('substitutes before graph validation, so a parameter that breaks the graph is caught', () => {
    const text =
      'name: p\nparams: { up: a }\ntasks:\n  a: {type: noop}\n  b: {type: noop, depends_on: ["{{ params.up }}"]}\n'
    expect(codes(text)).toEqual([])
    const l = load(text, { params: { up: 'b' } })
    expect(l.issues.map((i) => i.code)).toEqual(['E_DEP_SELF'])
    expect(load(text, { params: { up: 'c' } }).issues.map((i) => i.code)).toEqual(['E_DEP_MISSING'])
  })

  it('keeps the type of a whole-string template (a templated number)', () => {
    const l = load(
      'name: p\nparams: { n: 4 }\nmax_parallel: "{{ params.n }}"\ntasks:\n  a: {type: noop}\n',
    )
    expect(l.spec?.max_parallel).toBe(4)
  })

  it('reports an undefined template variable at its column', () => {
    const l = load('name: p\ntasks:\n  a: {type: command, command: "echo {{ params.nope }}"}\n')
    expect(l.issues[0]).toMatchObject({ code: 'E_PARAM_UNDECLARED', line: 3, col: 37 })
  })

  it('reads secrets from the environment and masks them; unset is a warning for validate, an error for run', () => {
    const text =
      'name: p\nconnections:\n  wh: "postgres://app:${env:WH_PASS}@db/x"\ntasks:\n  a: {type: extract, source: {connection: wh, table: t}}\n'
    const ok = load(text, { env: { WH_PASS: 's3cr3t-pw' } })
    expect(ok.issues).toEqual([])
    expect(ok.secrets.mask('failed for postgres://app:s3cr3t-pw@db/x')).toBe(
      'failed for postgres://app:***@db/x',
    )
    expect(ok.secrets.mask('token s3cr3t-pw')).toBe('token ***')
    expect(codes(text, { envUnset: 'warning' })).toEqual(['W_ENV_UNSET'])
    expect(codes(text, { envUnset: 'error' })).toEqual(['E_ENV_UNSET'])
  })

  it('warns about a password written into the file', () => {
    const l = load(
      'name: p\nconnections:\n  wh: postgres://app:hunter22@db/x\ntasks:\n  a: {type: noop}\n',
    )
    expect(l.issues.map((i) => i.code)).toEqual(['W_INLINE_SECRET'])
    expect(JSON.stringify(l.issues)).not.toContain('hunter22')
  })
})

describe('TypeScript pipelines', () => {
  it('loads definePipeline with dynamic tasks into the same spec', async () => {
    const l = await loadPipelineFile(join(fixtures, 'ts/dynamic-pipeline.ts'), {
      params: { min: '5', note: 'hi' },
    })
    expect(l.issues).toEqual([])
    expect(Object.keys(l.spec!.tasks)).toEqual([
      'extract_eu',
      'extract_us',
      'extract_apac',
      'combine',
    ])
    expect((l.spec!.tasks.combine as { sql: string }).sql).toBe(
      'select * from extract_eu where amount > 5 -- hi',
    )
    expect(planLoaded(l).levels).toEqual([
      ['extract_eu', 'extract_us', 'extract_apac'],
      ['combine'],
    ])
  })

  it('wraps an exception thrown while building the pipeline', async () => {
    const l = await loadPipelineFile(join(fixtures, 'ts/throwing-pipeline.ts'))
    expect(l.issues).toHaveLength(1)
    expect(l.issues[0]!.code).toBe('E_TS_LOAD')
    expect(l.issues[0]!.message).toContain('region list service is down')
  })
})

describe('keys that collide with Object.prototype', () => {
  it('treats constructor, toString and __proto__ as ordinary names', () => {
    expect(codes('name: x\ntasks:\n  a: {type: noop, depends_on: [constructor]}\n')).toEqual([
      'E_DEP_MISSING',
    ])
    expect(codes('name: x\ntasks:\n  a: {type: sql, sql: x, connection: constructor}\n')).toEqual([
      'E_CONNECTION_UNKNOWN',
    ])
    expect(codes('name: x\ntasks:\n  a: {type: noop, pool: toString}\n')).toEqual([
      'E_POOL_UNKNOWN',
    ])
    expect(
      codes('name: x\ntasks:\n  a: {type: command, command: "{{ params.valueOf }}"}\n'),
    ).toEqual(['E_PARAM_UNDECLARED'])
    const l = load(
      'name: x\ntasks:\n  __proto__: {type: noop}\n  b: {type: noop, depends_on: [__proto__]}\n',
    )
    expect(l.issues).toEqual([])
    expect(Object.keys(l.spec!.tasks)).toEqual(['__proto__', 'b'])
    expect(Object.getPrototypeOf(l.spec!.tasks)).toBe(Object.prototype)
  })
})

describe('the fast path for valid files', () => {
  it('gives the same spec as the precise parser', async () => {
    const { readFile } = await import('node:fs/promises')
    const texts = [
      await readFile(join(fixtures, '../../examples/quickstart/pipeline.yaml'), 'utf8'),
      await readFile(join(fixtures, '../../examples/hello/pipeline.yaml'), 'utf8'),
      'name: p\nparams: { n: 4, when: "2026-01-01" }\nmax_parallel: "{{ params.n }}"\ntasks:\n  a: { type: noop, tags: [x, "y"], priority: 0x10 }\n  b: { type: command, command: "echo {{ params.when }}", depends_on: a, env: { K: "1" } }\n',
    ]
    const run = { runId: 'r', logicalDate: new Date('2026-01-02T00:00:00Z') }
    for (const t of texts) {
      const fast = load(t, { run })
      const precise = load(t, { run, precise: true })
      expect(fast.issues).toEqual([])
      expect(fast.spec).toEqual(precise.spec)
      expect(fast.hash).toBe(precise.hash)
    }
  })
})
