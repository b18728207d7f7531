import { describe, expect, it } from 'vitest'
import { DefinitionError } from '../../../src/core/definition-error.js'
import { formatDuration, parseDuration } from '../../../src/core/duration.js'
import { ERROR_CODES } from '../../../src/core/error-codes.js'
import { SecretMask } from '../../../src/core/secret-mask.js'
import { isSluiceError, SluiceError } from '../../../src/core/sluice-error.js'
import { formatLocation } from '../../../src/core/source-location.js'
import { closest, didYouMean, editDistance } from '../../../src/core/suggest.js'
import {
  formatIssue,
  hasErrors,
  sortIssues,
  type ValidationIssue,
} from '../../../src/core/validation-issue.js'

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
    ['1h30m', 5_400_000],
    ['2m30s', 150_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['PT2H', 7_200_000],
    ['PT1H30M', 5_400_000],
    ['PT0.5S', 500],
    ['P1D', 86_400_000],
    ['P1DT2H', 93_600_000],
    ['90', 90_000],
    ['0', 0],
    ['2.5', 2500],
    [' 30s ', 30_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it('reads a bare number as seconds', () => {
    expect(parseDuration(90)).toBe(90_000)
    expect(parseDuration(0.25)).toBe(250)
  })

  it.each([
    '',
    '   ',
    'abc',
    '5x',
    'ms',
    '-5s',
    '1h 30m',
    '5 m',
    '30S',
    'P',
    'PT',
    'P1DT',
    'P2H',
    'pt2h',
    '1h-30m',
    '5mm',
  ])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined()
  })

  it('rejects negative and non-finite numbers', () => {
    expect(parseDuration(-1)).toBeUndefined()
    expect(parseDuration(Number.NaN)).toBeUndefined()
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBeUndefined()
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [500, '500ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [1234, '1.23s'],
    [12_345, '12.3s'],
    [30_000, '30s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [3_723_000, '1h2m3s'],
    [3_600_000 + 5000, '1h5s'],
  ])('%d ms is %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })

  it('round-trips through parseDuration for whole units', () => {
    for (const text of ['1s', '45s', '1m', '1m30s', '2h', '1h30m', '1h2m3s']) {
      expect(formatDuration(parseDuration(text)!)).toBe(text)
    }
  })
})

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['orders', 'order', 1],
    ['orders', 'ordres', 1],
    ['ab', 'ba', 1],
    ['abcd', 'badc', 2],
    ['ca', 'abc', 3],
  ])('%j vs %j is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d)
    expect(editDistance(b, a)).toBe(d)
  })
})

describe('closest / didYouMean', () => {
  const ids = ['orders', 'customers', 'clean_orders', 'load']

  it('suggests the nearest candidate, swaps counting as one edit', () => {
    expect(didYouMean('ordres', ids)).toBe('did you mean `orders`?')
    expect(didYouMean('lod', ids)).toBe('did you mean `load`?')
    expect(didYouMean('custmoers', ids)).toBe('did you mean `customers`?')
  })

  it('ignores case when comparing but returns the candidate as written', () => {
    expect(closest('ORDERS', ids)).toBe('orders')
  })

  it('gives undefined when every candidate is too far', () => {
    expect(didYouMean('xyz', ids)).toBeUndefined()
    expect(didYouMean('shipments', ids)).toBeUndefined()
    expect(didYouMean('anything', [])).toBeUndefined()
  })

  it('allows more edits for longer words (length / 3)', () => {
    // 'ordrsx' → 'orders': 2 edits, allowed for a 6-letter word (limit 2)
    expect(editDistance('ordrsx', 'orders')).toBe(2)
    expect(closest('ordrsx', ['orders'])).toBe('orders')
    // 'ordrx' → 'orders': 2 edits, but a 5-letter word allows only 1
    expect(editDistance('ordrx', 'orders')).toBe(2)
    expect(closest('ordrx', ['orders'])).toBeUndefined()
    // 'ab' → 'xy': 2 edits, limit is 1
    expect(closest('ab', ['xy'])).toBeUndefined()
  })

  it('keeps the first of equally close candidates', () => {
    expect(closest('cat', ['bat', 'hat'])).toBe('bat')
  })
})

describe('SecretMask', () => {
  it('masks every occurrence of a registered value', () => {
    const m = new SecretMask()
    m.add('hunter22')
    expect(m.size).toBe(1)
    expect(m.mask('pw=hunter22; again hunter22')).toBe('pw=***; again ***')
  })

  it('masks the longer of two overlapping secrets whole', () => {
    const m = new SecretMask()
    m.add('secret')
    m.add('secret-token')
    expect(m.mask('a secret-token and a secret')).toBe('a *** and a ***')
  })

  it('masks passwords inside URLs even when not registered', () => {
    const m = new SecretMask()
    expect(m.mask('connect postgres://etl:s3cr3t@db.internal:5432/wh failed')).toBe(
      'connect postgres://etl:***@db.internal:5432/wh failed',
    )
    expect(m.mask('redis://:pw1234@cache:6379 and mysql://u:p@h/db')).toBe(
      'redis://:***@cache:6379 and mysql://u:***@h/db',
    )
  })

  it('leaves URLs without a password alone', () => {
    const m = new SecretMask()
    expect(m.mask('postgres://etl@db/wh and https://example.com:8080/x')).toBe(
      'postgres://etl@db/wh and https://example.com:8080/x',
    )
  })

  it('ignores values shorter than 4 characters', () => {
    const m = new SecretMask()
    m.add('abc')
    m.add('')
    expect(m.size).toBe(0)
    expect(m.mask('abc abcd')).toBe('abc abcd')
    m.add('abcd')
    expect(m.mask('abc abcd')).toBe('abc ***')
  })

  it('counts a value once however often it is added', () => {
    const m = new SecretMask()
    m.add('token-1')
    m.add('token-1')
    expect(m.size).toBe(1)
  })

  it('masks values containing regex characters literally', () => {
    const m = new SecretMask()
    m.add('a.b*c+d')
    expect(m.mask('x a.b*c+d y aXbbbcd')).toBe('x *** y aXbbbcd')
  })
})

describe('SluiceError', () => {
  it('carries code, message, hint, task, row and the default retryable flag', () => {
    const e = new SluiceError('E_DEP_MISSING', 'no such task', {
      hint: 'did you mean `a`?',
      task: 'b',
      row: 3,
    })
    expect(e).toBeInstanceOf(Error)
    expect(isSluiceError(e)).toBe(true)
    expect(isSluiceError(new Error('x'))).toBe(false)
    expect(e.name).toBe('SluiceError')
    expect(e.code).toBe('E_DEP_MISSING')
    expect(e.retryable).toBe(ERROR_CODES.E_DEP_MISSING.retryable)
    expect(e.cause).toBeUndefined()
  })

  it('lets options override retryable and keeps the cause', () => {
    const cause = new Error('ECONNRESET')
    const e = new SluiceError('E_INTERNAL', 'boom', { retryable: true, cause, retryAfterMs: 500 })
    expect(e.retryable).toBe(true)
    expect(e.cause).toBe(cause)
    expect(e.retryAfterMs).toBe(500)
  })

  it('toLine() formats location, code, message, context and hint on one line', () => {
    const e = new SluiceError('E_CYCLE', 'dependency cycle: a -> b -> a', {
      location: { file: 'pipeline.yaml', line: 12, col: 5 },
      task: 'a',
      row: 0,
      hint: 'remove one of these dependencies',
    })
    expect(e.toLine()).toBe(
      'pipeline.yaml:12:5 error E_CYCLE dependency cycle: a -> b -> a (task a, row 0); remove one of these dependencies',
    )
  })

  it('toLine() leaves out what is not known', () => {
    expect(new SluiceError('E_USAGE', 'bad flag').toLine()).toBe('error E_USAGE bad flag')
    expect(new SluiceError('E_USAGE', 'bad flag', { task: 't' }).toLine()).toBe(
      'error E_USAGE bad flag (task t)',
    )
    expect(
      new SluiceError('E_USAGE', 'x', { location: { file: 'p.yaml', line: 3 } }).toLine(),
    ).toBe('p.yaml:3:1 error E_USAGE x')
    expect(new SluiceError('E_USAGE', 'x', { location: { path: 'tasks.a' } }).toLine()).toBe(
      'tasks.a error E_USAGE x',
    )
  })

  it('DefinitionError prints every issue, one per line, and takes the first error code', () => {
    const issues: ValidationIssue[] = [
      {
        severity: 'warning',
        code: 'W_UNREACHABLE',
        message: 'task c can never run',
        file: 'p.yaml',
        line: 9,
        col: 3,
      },
      {
        severity: 'error',
        code: 'E_CYCLE',
        message: 'dependency cycle: a -> b -> a',
        file: 'p.yaml',
        line: 4,
        col: 5,
      },
    ]
    const e = new DefinitionError(issues)
    expect(e).toBeInstanceOf(SluiceError)
    expect(e.name).toBe('DefinitionError')
    expect(e.code).toBe('E_CYCLE')
    expect(e.message).toBe('1 error(s) in pipeline definition')
    expect(e.toLine()).toBe(
      'p.yaml:9:3 warning W_UNREACHABLE task c can never run\np.yaml:4:5 error E_CYCLE dependency cycle: a -> b -> a',
    )
  })
})

describe('formatLocation / formatIssue', () => {
  it('formats as much of file:line:col as is known', () => {
    expect(formatLocation({ file: 'p.yaml', line: 2, col: 7 })).toBe('p.yaml:2:7')
    expect(formatLocation({ file: 'p.yaml' })).toBe('p.yaml')
    expect(formatLocation({ line: 2 })).toBe('2:1')
    expect(formatLocation({ path: 'tasks.a' })).toBe('tasks.a')
    expect(formatLocation({})).toBe('')
  })

  it('formats an issue as `file:line:col error CODE message; suggestion`', () => {
    expect(
      formatIssue({
        severity: 'error',
        code: 'E_DEP_MISSING',
        message: 'task load depends on "ordres", which is not a task',
        suggestion: 'did you mean `orders`?',
        file: 'pipeline.yaml',
        line: 14,
        col: 17,
      }),
    ).toBe(
      'pipeline.yaml:14:17 error E_DEP_MISSING task load depends on "ordres", which is not a task; did you mean `orders`?',
    )
  })

  it('appends the definition path when a line is known, and uses it as location otherwise', () => {
    const base = {
      severity: 'warning',
      code: 'W_UNREACHABLE',
      message: 'task c can never run',
      path: 'tasks.c',
    } as const
    expect(formatIssue({ ...base, file: 'p.yaml', line: 3, col: 1 })).toBe(
      'p.yaml:3:1 warning W_UNREACHABLE task c can never run [tasks.c]',
    )
    expect(formatIssue(base)).toBe('tasks.c warning W_UNREACHABLE task c can never run')
    expect(formatIssue({ severity: 'error', code: 'E_USAGE', message: 'm' })).toBe(
      'error E_USAGE m',
    )
  })

  it('hasErrors ignores warnings; sortIssues orders by file, line, col, code', () => {
    const w: ValidationIssue = {
      severity: 'warning',
      code: 'W_UNREACHABLE',
      message: 'w',
      file: 'b.yaml',
      line: 1,
    }
    const e1: ValidationIssue = {
      severity: 'error',
      code: 'E_DEP_SELF',
      message: 'e1',
      file: 'a.yaml',
      line: 5,
      col: 2,
    }
    const e2: ValidationIssue = {
      severity: 'error',
      code: 'E_CYCLE',
      message: 'e2',
      file: 'a.yaml',
      line: 5,
      col: 2,
    }
    const e3: ValidationIssue = {
      severity: 'error',
      code: 'E_CYCLE',
      message: 'e3',
      file: 'a.yaml',
      line: 2,
    }
    expect(hasErrors([w])).toBe(false)
    expect(hasErrors([w, e1])).toBe(true)
    const input = [w, e1, e2, e3]
    expect(sortIssues(input).map((i) => i.message)).toEqual(['e3', 'e2', 'e1', 'w'])
    expect(input.map((i) => i.message)).toEqual(['w', 'e1', 'e2', 'e3'])
  })
})
