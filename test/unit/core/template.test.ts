import { describe, expect, it, vi } from 'vitest'
import type { ParamDecl } from '../../../src/core/spec/param-schema.js'
import { builtinVars, type BuiltinVars } from '../../../src/core/template/builtin-vars.js'
import { coerceParam, inferParamType } from '../../../src/core/template/coerce-param.js'
import {
  hasTemplate,
  renderTemplate,
  type TemplateScope,
} from '../../../src/core/template/render-template.js'
import {
  lookupBuiltin,
  resolveParams,
  taskScope,
  type ParamEnv,
} from '../../../src/core/template/resolve-params.js'
import { parseExpression } from '../../../src/core/template/template-expression.js'

const LOGICAL = new Date('2024-03-10T12:00:00Z')
const BUILTINS: BuiltinVars = builtinVars('orders_daily', { logicalDate: LOGICAL, runId: 'r-1' })

/** A scope over a plain object of params plus the builtins; records secrets. */
function makeScope(
  params: Record<string, unknown>,
  env: Record<string, string> = {},
  envUnset: 'error' | 'warning' = 'error',
): TemplateScope & { secrets: string[] } {
  const secrets: string[] = []
  return {
    secrets,
    envUnset,
    env: (name) => env[name],
    secret: (v) => secrets.push(v),
    lookup: (path) => {
      if (path[0] === 'params' && path.length === 2) {
        const n = path[1]!
        return n in params ? { found: true, value: params[n] } : { found: false }
      }
      return lookupBuiltin(BUILTINS, path)
    },
  }
}

function makeEnv(env: Record<string, string> = {}, envUnset: 'error' | 'warning' = 'error') {
  const secret = vi.fn<(v: string) => void>()
  const penv: ParamEnv = { env: (n) => env[n], secret, envUnset }
  return { penv, secret }
}

const resolve = (
  decls: Record<string, ParamDecl>,
  overrides: Record<string, unknown> = {},
  env: Record<string, string> = {},
) => resolveParams(decls, overrides, BUILTINS, makeEnv(env).penv)

describe('parseExpression', () => {
  it('reads a dotted path and filters with literal arguments', () => {
    expect(parseExpression(" params.x | default('a|b', 2, true, null) | upper ")).toEqual({
      path: ['params', 'x'],
      filters: [
        { name: 'default', args: ['a|b', 2, true, null] },
        { name: 'upper', args: [] },
      ],
    })
  })

  it('throws a message on bad syntax', () => {
    expect(() => parseExpression('  ')).toThrow('empty expression')
    expect(() => parseExpression('1abc')).toThrow('"1abc" is not a variable name')
    expect(() => parseExpression("x | default('a)")).toThrow('unterminated string')
    expect(() => parseExpression('x | default(bare)')).toThrow('argument bare must be')
    expect(() => parseExpression('x | 9lives')).toThrow('cannot read filter "9lives"')
  })
})

describe('renderTemplate', () => {
  const scope = makeScope({ n: 5, name: 'Ada', list: [1, 2], empty: '', nil: null })

  it('leaves text without templates alone', () => {
    expect(hasTemplate('plain {x}')).toBe(false)
    expect(renderTemplate('plain {x}', scope)).toEqual({ value: 'plain {x}', problems: [] })
  })

  it('keeps the type of a whole-string expression', () => {
    expect(renderTemplate('{{ params.n }}', scope)).toEqual({ value: 5, problems: [] })
    expect(renderTemplate('{{params.list}}', scope).value).toEqual([1, 2])
    expect(renderTemplate('{{ params.nil }}', scope).value).toBeNull()
  })

  it('interpolates into surrounding text', () => {
    expect(renderTemplate('n={{ params.n }}, who={{ params.name }}', scope)).toEqual({
      value: 'n=5, who=Ada',
      problems: [],
    })
    expect(renderTemplate('[{{ params.list }}]', scope).value).toBe('[[1,2]]')
    expect(renderTemplate('<{{ params.nil }}>', scope).value).toBe('<>')
  })

  it('reads builtins', () => {
    expect(renderTemplate('day={{ today }} run={{ run_id }}', scope).value).toBe(
      'day=2024-03-10 run=r-1',
    )
    expect(renderTemplate('{{ pipeline }}', scope).value).toBe('orders_daily')
  })

  it('applies default() to a missing or empty value, keeping the literal type', () => {
    expect(renderTemplate('{{ params.missing | default(5) }}', scope)).toEqual({
      value: 5,
      problems: [],
    })
    expect(renderTemplate("{{ params.missing | default('x') }}", scope)).toEqual({
      value: 'x',
      problems: [],
    })
    expect(renderTemplate('{{ params.empty | default("fallback") }}', scope).value).toBe('fallback')
    expect(renderTemplate('{{ params.n | default(7) }}', scope).value).toBe(5)
    expect(renderTemplate('x{{ params.missing | default(1.5) }}', scope).value).toBe('x1.5')
  })

  it('applies upper, lower and json, chained left to right', () => {
    expect(renderTemplate('hi {{ params.name | upper }}', scope).value).toBe('hi ADA')
    expect(renderTemplate('{{ params.name | lower }}', scope).value).toBe('ada')
    expect(renderTemplate('{{ params.list | json }}', scope).value).toBe('[1,2]')
    expect(renderTemplate("{{ params.missing | default('abc') | upper }}", scope).value).toBe('ABC')
  })

  it('reports an unknown filter with a suggestion', () => {
    const r = renderTemplate('{{ params.name | uper }}', scope)
    expect(r.problems).toEqual([
      {
        code: 'E_TEMPLATE_UNKNOWN',
        message: 'unknown filter "uper"',
        suggestion: 'did you mean `upper`?',
        offset: 0,
      },
    ])
  })

  it('lists the filters when an unknown one is not close to any', () => {
    const r = renderTemplate('{{ params.name | shout }}', scope)
    expect(r.problems[0]!.code).toBe('E_TEMPLATE_UNKNOWN')
    expect(r.problems[0]!.suggestion).toBe('filters: default, upper, lower, json')
  })

  it.each([
    ['{{ }}', 'empty expression'],
    ['{{ params. }}', '"params." is not a variable name'],
    ["{{ params.n | default('x) }}", 'unterminated string'],
    ['{{ params.n | default(x) }}', 'must be a number, true/false, null or a quoted string'],
    ['a {{ params.n | upper( }} b', 'cannot read filter "upper("'],
  ])('reports E_TEMPLATE_SYNTAX for %s', (text, message) => {
    const r = renderTemplate(text, scope)
    expect(r.problems).toHaveLength(1)
    expect(r.problems[0]!.code).toBe('E_TEMPLATE_SYNTAX')
    expect(r.problems[0]!.message).toContain(message)
  })

  it('reports an unclosed {{ with its offset', () => {
    expect(renderTemplate('ab {{ params.n', scope).problems).toEqual([
      { code: 'E_TEMPLATE_SYNTAX', message: 'unclosed "{{"', offset: 3 },
    ])
  })

  it('reports the offset of the failing expression inside the string', () => {
    const r = renderTemplate('ok {{ params.n }} bad {{ params.x }}', scope)
    expect(r.problems).toHaveLength(1)
    expect(r.problems[0]!.offset).toBe(22)
    expect(r.value).toBe('ok 5 bad ')
  })

  it('reports an undefined params.x as E_PARAM_UNDECLARED', () => {
    const r = renderTemplate('{{ params.x }}', scope)
    expect(r.value).toBe('{{ params.x }}') // kept, so one bad template is one error
    expect(r.problems).toEqual([
      {
        code: 'E_PARAM_UNDECLARED',
        message: '{{ params.x }} is not defined',
        suggestion: 'declare it under params: or add | default(…)',
        offset: 0,
      },
    ])
  })

  it('reports an unknown builtin as E_TEMPLATE_UNKNOWN with a suggestion', () => {
    const r = renderTemplate('{{ todya }}', scope)
    expect(r.problems).toHaveLength(1)
    expect(r.problems[0]!.code).toBe('E_TEMPLATE_UNKNOWN')
    expect(r.problems[0]!.suggestion).toBe('did you mean `today`?')
  })

  it('substitutes ${env:NAME} and reports the value as a secret', () => {
    const s = makeScope({}, { DB_URL: 'postgres://u:pw@h/db', EMPTY: '' })
    expect(renderTemplate('${env:DB_URL}', s)).toEqual({
      value: 'postgres://u:pw@h/db',
      problems: [],
    })
    expect(renderTemplate('url=${env:DB_URL};e=${env:EMPTY}', s).value).toBe(
      'url=postgres://u:pw@h/db;e=',
    )
    expect(s.secrets).toEqual(['postgres://u:pw@h/db', 'postgres://u:pw@h/db'])
  })

  it('reports an unset env variable as E_ENV_UNSET or W_ENV_UNSET', () => {
    const strict = makeScope({}, {}, 'error')
    expect(renderTemplate('a${env:NOPE}b', strict)).toEqual({
      value: 'ab',
      problems: [
        {
          code: 'E_ENV_UNSET',
          message: 'environment variable NOPE is not set',
          suggestion: 'export NOPE=… before running',
          offset: 1,
        },
      ],
    })
    const lax = makeScope({}, {}, 'warning')
    const r = renderTemplate('${env:NOPE}', lax)
    expect(r.problems.map((p) => p.code)).toEqual(['W_ENV_UNSET'])
    expect(lax.secrets).toEqual([])
  })

  it('mixes env and params in one string', () => {
    const s = makeScope({ n: 3 }, { HOST: 'db.local' })
    expect(renderTemplate('${env:HOST}:{{ params.n }}', s).value).toBe('db.local:3')
  })
})

describe('coerceParam', () => {
  it.each([
    ['string', 'abc', 'abc'],
    ['string', 5, '5'],
    ['integer', '42', 42],
    ['integer', ' -7 ', -7],
    ['integer', 3, 3],
    ['number', '1.5', 1.5],
    ['number', '1e3', 1000],
    ['number', 2, 2],
    ['boolean', 'true', true],
    ['boolean', 'YES', true],
    ['boolean', '1', true],
    ['boolean', 'off', false],
    ['boolean', false, false],
    ['date', '2024-02-29', '2024-02-29'],
    ['timestamp', '2024-01-02T03:04:05Z', '2024-01-02T03:04:05.000Z'],
    ['timestamp', '2024-01-02T03:04:05+02:00', '2024-01-02T01:04:05.000Z'],
    ['duration', '5m', '5m'],
    ['duration', 'PT1H', 'PT1H'],
    ['duration', 30, 30],
    ['list', 'a, b,c', ['a', 'b', 'c']],
    ['list', '[1,"x"]', [1, 'x']],
    ['list', '', []],
    ['list', ['z'], ['z']],
  ] as const)('%s accepts %j as %j', (type, value, expected) => {
    expect(coerceParam(value, type)).toEqual({ ok: true, value: expected })
  })

  it.each([
    ['string', { a: 1 }, 'a string'],
    ['string', ['a'], 'a string'],
    ['integer', '1.5', 'an integer'],
    ['integer', 'abc', 'an integer'],
    ['integer', '9007199254740993', 'an integer'],
    ['integer', 2.5, 'an integer'],
    ['number', 'abc', 'a number'],
    ['number', '', 'a number'],
    ['number', true, 'a number'],
    ['boolean', 'maybe', 'a boolean (true/false)'],
    ['date', '2024-1-2', 'a date (YYYY-MM-DD)'],
    ['date', '2023-02-29', 'a real date'],
    ['date', '2024-13-01', 'a real date'],
    ['timestamp', 'yesterday', 'a timestamp (ISO-8601)'],
    ['timestamp', '2024-99-99T00:00:00Z', 'a timestamp (ISO-8601)'],
    ['duration', '5 parsecs', 'a duration (30s, 5m, 2h, PT1H)'],
    ['duration', true, 'a duration (30s, 5m, 2h, PT1H)'],
    ['list', 5, 'a list'],
    ['list', '[1,', 'a JSON list'],
  ] as const)('%s rejects %j', (type, value, what) => {
    expect(coerceParam(value, type)).toEqual({
      ok: false,
      error: `${JSON.stringify(value)} is not ${what}`,
    })
  })

  it('infers a type from a bare default', () => {
    expect(inferParamType(3)).toBe('integer')
    expect(inferParamType(3.5)).toBe('number')
    expect(inferParamType(true)).toBe('boolean')
    expect(inferParamType(['a'])).toBe('list')
    expect(inferParamType('x')).toBe('string')
    expect(inferParamType(null)).toBe('string')
  })
})

describe('resolveParams', () => {
  it('uses defaults, inferring types from bare values', () => {
    const { params, problems } = resolve({ n: 5, rate: 0.5, on: true, name: 'x', tags: ['a'] })
    expect(problems).toEqual([])
    expect(params.values).toEqual({ n: 5, rate: 0.5, on: true, name: 'x', tags: ['a'] })
    expect(params.types).toEqual({
      n: 'integer',
      rate: 'number',
      on: 'boolean',
      name: 'string',
      tags: 'list',
    })
    expect(params.builtins).toBe(BUILTINS)
    expect(params.fromCommandLine.size).toBe(0)
  })

  it('lets a command-line value beat the default and records where it came from', () => {
    const { params, problems } = resolve({ n: 5, name: 'x' }, { n: '10' })
    expect(problems).toEqual([])
    expect(params.values).toEqual({ n: 10, name: 'x' })
    expect([...params.fromCommandLine]).toEqual(['n'])
  })

  it.each([
    [{ type: 'integer' }, '42', 42],
    [{ type: 'number' }, '2.5', 2.5],
    [{ type: 'boolean' }, 'false', false],
    [{ type: 'date' }, '2024-05-01', '2024-05-01'],
    [{ type: 'timestamp' }, '2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000Z'],
    [{ type: 'duration' }, '90s', '90s'],
    [{ type: 'list' }, 'a,b', ['a', 'b']],
  ] as const)('coerces command-line strings for %j', (decl, raw, expected) => {
    const { params, problems } = resolve({ p: { ...decl } }, { p: raw })
    expect(problems).toEqual([])
    expect(params.values.p).toEqual(expected)
  })

  it('reports E_PARAM_TYPE for a command-line value of the wrong type', () => {
    const { params, problems } = resolve({ n: { type: 'integer', default: 1 } }, { n: 'ten' })
    expect(problems).toEqual([
      {
        code: 'E_PARAM_TYPE',
        message: 'param n (integer): "ten" is not an integer',
        param: 'n',
        source: 'command-line',
      },
    ])
    expect(params.values.n).toBeNull()
  })

  it('reports E_PARAM_TYPE for a default of the wrong type, sourced to the file', () => {
    const { problems } = resolve({ day: { type: 'date', default: 'someday' } })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ code: 'E_PARAM_TYPE', param: 'day', source: 'file' })
  })

  it('reports a required param with no value as E_PARAM_MISSING naming it', () => {
    const { params, problems } = resolve({ region: { type: 'string' }, ok: 1 })
    expect(problems).toEqual([
      {
        code: 'E_PARAM_MISSING',
        message: 'param region is required and has no value',
        suggestion: 'pass --param region=… or give it a default',
        param: 'region',
        source: 'file',
      },
    ])
    expect(params.values.region).toBeNull()
    expect(params.values.ok).toBe(1)
  })

  it('does not require an optional param without a default', () => {
    const { params, problems } = resolve({ region: { type: 'string', required: false } })
    expect(problems).toEqual([])
    expect(params.values.region).toBeNull()
  })

  it('accepts a required param given on the command line', () => {
    const { params, problems } = resolve(
      { region: { type: 'string', required: true } },
      { region: 'eu' },
    )
    expect(problems).toEqual([])
    expect(params.values.region).toBe('eu')
  })

  it('renders defaults that refer to other params, whatever the declaration order', () => {
    const { params, problems } = resolve({
      label: '{{ params.prefix }}-{{ params.n }}',
      double: { type: 'integer', default: '{{ params.n }}' },
      prefix: 'run',
      n: 3,
    })
    expect(problems).toEqual([])
    expect(params.values).toMatchObject({ label: 'run-3', double: 3, prefix: 'run', n: 3 })
  })

  it('sees command-line values in the defaults of other params', () => {
    const { params } = resolve({ n: 3, label: 'n{{ params.n }}' }, { n: '8' })
    expect(params.values.label).toBe('n8')
  })

  it('renders a default that refers to today', () => {
    const { params, problems } = resolve({ day: { type: 'date', default: '{{ today }}' } })
    expect(problems).toEqual([])
    expect(params.values.day).toBe('2024-03-10')
  })

  it('renders ${env:} in defaults and reports the value as secret', () => {
    const { penv, secret } = makeEnv({ TOKEN: 'tok-123' })
    const { params, problems } = resolveParams({ token: '${env:TOKEN}' }, {}, BUILTINS, penv)
    expect(problems).toEqual([])
    expect(params.values.token).toBe('tok-123')
    expect(secret).toHaveBeenCalledWith('tok-123')
  })

  it('reports template problems inside a default against the param', () => {
    const { problems } = resolve({ a: '{{ params.nope }}' })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      code: 'E_PARAM_UNDECLARED',
      param: 'a',
      source: 'file',
      offset: 0,
    })
    expect(problems[0]!.message).toBe('in the default of param a: {{ params.nope }} is not defined')
  })

  it('reports a default loop as E_PARAM_CYCLE and returns', () => {
    const { params, problems } = resolve({
      a: '{{ params.b }}',
      b: '{{ params.c }}',
      c: '{{ params.a }}',
      ok: 1,
    })
    expect(problems.some((p) => p.code === 'E_PARAM_CYCLE')).toBe(true)
    expect(params.values.ok).toBe(1)
    expect(params.values.a).toBeNull()
  })

  it('reports a param that refers to itself as E_PARAM_CYCLE', () => {
    const { params, problems } = resolve({ a: 'x{{ params.a }}' })
    expect(problems).toEqual([
      { code: 'E_PARAM_CYCLE', message: 'param a refers to itself', param: 'a', source: 'file' },
    ])
    expect(params.values.a).toBe('x')
  })

  it('reports an undeclared command-line param with a did-you-mean', () => {
    const { problems } = resolve({ region: 'eu', n: 1 }, { regoin: 'us' })
    expect(problems).toEqual([
      {
        code: 'E_PARAM_UNDECLARED',
        message: '--param regoin is not declared by the pipeline',
        suggestion: 'did you mean `region`?',
        param: 'regoin',
        source: 'command-line',
      },
    ])
  })

  it('lists declared params when an undeclared one is not close to any', () => {
    expect(resolve({}, { zzz: '1' }).problems[0]!.suggestion).toBe('declared params: none')
    expect(
      resolveParams(undefined, { zzz: '1' }, BUILTINS, makeEnv().penv).problems[0]!.suggestion,
    ).toBe('declared params: none')
    expect(resolve({ alpha: 1, beta: 2 }, { zzzzzz: '1' }).problems[0]!.suggestion).toBe(
      'declared params: alpha, beta',
    )
  })

  it('checks values: against the allowed list, after coercion', () => {
    const decl: ParamDecl = { type: 'string', default: 'eu', values: ['eu', 'us'] }
    expect(resolve({ region: decl }).problems).toEqual([])
    expect(resolve({ region: decl }, { region: 'us' }).params.values.region).toBe('us')
    expect(resolve({ region: decl }, { region: 'asia' }).problems).toEqual([
      {
        code: 'E_PARAM_TYPE',
        message: 'param region is "asia"; allowed: "eu", "us"',
        param: 'region',
        source: 'command-line',
      },
    ])
    expect(resolve({ n: { type: 'integer', values: [1, 2] } }, { n: '2' }).problems).toEqual([])
    expect(resolve({ n: { type: 'integer', values: [1, 2] } }, { n: '3' }).problems[0]!.code).toBe(
      'E_PARAM_TYPE',
    )
  })
})

describe('taskScope', () => {
  const lookup = (scope: TemplateScope, name: string) => scope.lookup(['params', name])

  it('lets task params beat pipeline values', () => {
    const { params } = resolve({ n: 5, region: 'eu' })
    const { scope, problems } = taskScope(params, { n: '7' }, makeEnv().penv)
    expect(problems).toEqual([])
    expect(lookup(scope, 'n')).toEqual({ found: true, value: 7 })
    expect(lookup(scope, 'region')).toEqual({ found: true, value: 'eu' })
  })

  it('lets the command line beat task params', () => {
    const { params } = resolve({ n: 5 }, { n: '9' })
    const { scope } = taskScope(params, { n: 7 }, makeEnv().penv)
    expect(lookup(scope, 'n')).toEqual({ found: true, value: 9 })
  })

  it('renders task param templates against pipeline values and builtins', () => {
    const { params } = resolve({ n: 5, label: 'x' })
    const { scope } = taskScope(params, { label: '{{ params.n }}-{{ today }}' }, makeEnv().penv)
    expect(lookup(scope, 'label')).toEqual({ found: true, value: '5-2024-03-10' })
    expect(renderTemplate('{{ params.label | upper }}', scope).value).toBe('5-2024-03-10')
  })

  it('reports a task param of the wrong type and keeps the pipeline value', () => {
    const { params } = resolve({ n: 5 })
    const { scope, problems } = taskScope(params, { n: 'many' }, makeEnv().penv)
    expect(problems).toEqual([
      {
        code: 'E_PARAM_TYPE',
        message: 'task param n (integer): "many" is not an integer',
        param: 'n',
        source: 'task',
      },
    ])
    expect(lookup(scope, 'n')).toEqual({ found: true, value: 5 })
  })

  it('reports template problems in task params with source task', () => {
    const { params } = resolve({ n: 5 })
    const { problems } = taskScope(params, { n: '{{ params.nope }}' }, makeEnv().penv)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ code: 'E_PARAM_UNDECLARED', param: 'n', source: 'task' })
  })

  it('suggests a close name for an unknown param and resolves builtins', () => {
    const { params } = resolve({ region: 'eu' })
    const { scope } = taskScope(params, undefined, makeEnv().penv)
    expect(lookup(scope, 'regon')).toEqual({ found: false, suggestion: 'did you mean `region`?' })
    expect(scope.lookup(['today'])).toEqual({ found: true, value: '2024-03-10' })
    expect(scope.lookup(['data_interval_end'])).toEqual({
      found: true,
      value: '2024-03-10T12:00:00.000Z',
    })
  })

  it('passes env handling through', () => {
    const { penv, secret } = makeEnv({ K: 'secret-key' })
    const { params } = resolve({})
    const { scope } = taskScope(params, {}, penv)
    expect(renderTemplate('${env:K}', scope).value).toBe('secret-key')
    expect(secret).toHaveBeenCalledWith('secret-key')
  })
})

describe('builtinVars', () => {
  it('defaults the run id and a one-day interval ending at the logical date', () => {
    const b = builtinVars('p', { logicalDate: LOGICAL })
    expect(b).toEqual({
      run_id: 'manual',
      logical_date: '2024-03-10T12:00:00.000Z',
      today: '2024-03-10',
      data_interval_start: '2024-03-09T12:00:00.000Z',
      data_interval_end: '2024-03-10T12:00:00.000Z',
      pipeline: 'p',
    })
  })

  it('computes today in the given time zone', () => {
    const late = new Date('2024-03-10T23:30:00Z')
    expect(builtinVars('p', { logicalDate: late }).today).toBe('2024-03-10')
    expect(builtinVars('p', { logicalDate: late, timezone: 'Asia/Tokyo' }).today).toBe('2024-03-11')
    const early = new Date('2024-03-10T03:00:00Z')
    expect(builtinVars('p', { logicalDate: early, timezone: 'America/Los_Angeles' }).today).toBe(
      '2024-03-09',
    )
  })

  it('falls back to the UTC date for an unknown time zone', () => {
    expect(
      builtinVars('p', { logicalDate: new Date('2024-03-10T23:30:00Z'), timezone: 'Mars/Olympus' })
        .today,
    ).toBe('2024-03-10')
  })

  it("starts the data interval at the cron's previous tick", () => {
    const b = builtinVars('p', { logicalDate: LOGICAL, cron: '0 2 * * *' })
    expect(b.data_interval_start).toBe('2024-03-10T02:00:00.000Z')
    expect(b.data_interval_end).toBe('2024-03-10T12:00:00.000Z')
  })

  it('uses the previous tick, not the logical date itself, when the run is on a tick', () => {
    const b = builtinVars('p', { logicalDate: new Date('2024-03-10T02:00:00Z'), cron: '0 2 * * *' })
    expect(b.data_interval_start).toBe('2024-03-09T02:00:00.000Z')
  })

  it("reads the cron in the schedule's time zone", () => {
    const b = builtinVars('p', {
      logicalDate: LOGICAL,
      cron: '0 2 * * *',
      timezone: 'Europe/Berlin',
    })
    expect(b.data_interval_start).toBe('2024-03-10T01:00:00.000Z')
  })

  it('handles an hourly cron', () => {
    const b = builtinVars('p', { logicalDate: new Date('2024-03-10T12:34:00Z'), cron: '0 * * * *' })
    expect(b.data_interval_start).toBe('2024-03-10T12:00:00.000Z')
  })

  it('keeps the one-day default for an invalid cron', () => {
    const b = builtinVars('p', { logicalDate: LOGICAL, cron: 'not a cron' })
    expect(b.data_interval_start).toBe('2024-03-09T12:00:00.000Z')
  })

  it('defaults the logical date to now', () => {
    const before = Date.now()
    const b = builtinVars('p')
    const t = Date.parse(b.logical_date)
    expect(t).toBeGreaterThanOrEqual(before)
    expect(t).toBeLessThanOrEqual(Date.now())
  })

  it('lookupBuiltin finds single names only and suggests close ones', () => {
    expect(lookupBuiltin(BUILTINS, ['run_id'])).toEqual({ found: true, value: 'r-1' })
    expect(lookupBuiltin(BUILTINS, ['today', 'x'])).toMatchObject({ found: false })
    expect(lookupBuiltin(BUILTINS, ['runid'])).toEqual({
      found: false,
      suggestion: 'did you mean `run_id`?',
    })
  })
})
