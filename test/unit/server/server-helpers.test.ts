import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../../src/core/error-codes.js'
import type { PipelineSpec } from '../../../src/core/spec/pipeline-spec.js'
import { errorStatus } from '../../../src/server/error-status.js'
import { isLoopbackHost } from '../../../src/server/is-loopback-host.js'
import { maskSpec } from '../../../src/server/mask-spec.js'
import { maskUrl } from '../../../src/server/mask-url.js'
import { tokensEqual } from '../../../src/server/tokens-equal.js'

describe('isLoopbackHost', () => {
  it('accepts loopback names and addresses', () => {
    for (const h of [
      '127.0.0.1',
      '127.1.2.3',
      'localhost',
      'LOCALHOST',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ])
      expect([h, isLoopbackHost(h)]).toEqual([h, true])
  })
  it('rejects every-interface and remote addresses', () => {
    for (const h of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '128.0.0.1',
      '::ffff:10.0.0.1',
      'example.com',
      '',
      '127.0.0.1.nip.io',
    ])
      expect([h, isLoopbackHost(h)]).toEqual([h, false])
  })
})

describe('tokensEqual', () => {
  it('is true only for the identical token', () => {
    expect(tokensEqual('abc123', 'abc123')).toBe(true)
    expect(tokensEqual('abc124', 'abc123')).toBe(false)
    expect(tokensEqual('abc12', 'abc123')).toBe(false)
    expect(tokensEqual('', 'abc123')).toBe(false)
    expect(tokensEqual('ABC123', 'abc123')).toBe(false)
  })
})

describe('errorStatus', () => {
  it('maps codes to statuses in one place', () => {
    expect(
      Object.fromEntries(
        [
          'E_BAD_REQUEST',
          'E_AUTH',
          'E_PIPELINE_UNKNOWN',
          'E_STATE_NOT_FOUND',
          'E_ROUTE_UNKNOWN',
          'E_RUN_NOT_RESUMABLE',
          'E_STATE_TRANSITION',
          'E_STATE_CONFLICT',
          'E_PARAM_TYPE',
          'E_PARAM_MISSING',
          'E_TEMPLATE_UNKNOWN',
          'E_BACKFILL_RANGE',
          'E_STATE_CONNECT',
          'E_INTERNAL',
          'E_SQL',
          'E_SOMETHING_NEW',
        ].map((c) => [c, errorStatus(c)]),
      ),
    ).toEqual({
      E_BAD_REQUEST: 400,
      E_AUTH: 401,
      E_PIPELINE_UNKNOWN: 404,
      E_STATE_NOT_FOUND: 404,
      E_ROUTE_UNKNOWN: 404,
      E_RUN_NOT_RESUMABLE: 409,
      E_STATE_TRANSITION: 409,
      E_STATE_CONFLICT: 409,
      E_PARAM_TYPE: 422,
      E_PARAM_MISSING: 422,
      E_TEMPLATE_UNKNOWN: 422,
      E_BACKFILL_RANGE: 422,
      E_STATE_CONNECT: 503,
      E_INTERNAL: 500,
      E_SQL: 500,
      E_SOMETHING_NEW: 500,
    })
  })
  it('every code it maps exists in the code table', () => {
    for (const c of ['E_BAD_REQUEST', 'E_AUTH', 'E_PIPELINE_UNKNOWN', 'E_ROUTE_UNKNOWN'])
      expect(Object.hasOwn(ERROR_CODES, c)).toBe(true)
  })
})

describe('maskUrl and maskSpec', () => {
  it('masks the password and secret query values, leaves the rest', () => {
    expect(maskUrl('postgres://u:p%40ss@h:5432/db?sslmode=require')).toBe(
      'postgres://u:***@h:5432/db?sslmode=require',
    )
    expect(maskUrl('mysql://u@h/db')).toBe('mysql://u@h/db')
    expect(maskUrl('https://api.example.com/v1?api_key=abc&page=2&access_token=zz')).toBe(
      'https://api.example.com/v1?api_key=***&page=2&access_token=***',
    )
    expect(maskUrl('sqlite:data/x.db')).toBe('sqlite:data/x.db')
    expect(maskUrl('')).toBe('')
  })

  it('masks URLs anywhere and secret-named keys, without touching the input', () => {
    const spec = {
      name: 'p',
      connections: {
        a: 'postgres://u:pw1@h/db',
        token: 'https://h/x?token=t1',
        b: {
          type: 'http',
          url: 'https://h',
          headers: { Authorization: 'Bearer t2' },
          api_key: 'k3',
        },
      },
      tasks: {
        c: {
          type: 'command',
          command: 'curl https://u:pw4@h/x',
          env: { PASSWORD: 'pw5', MODE: 'x' },
        },
        l: { type: 'load', destination: { keys: ['id'], table: 't' } },
      },
    } as unknown as PipelineSpec
    const before = JSON.stringify(spec)
    expect(maskSpec(spec)).toEqual({
      name: 'p',
      connections: {
        a: 'postgres://u:***@h/db',
        token: 'https://h/x?token=***',
        b: { type: 'http', url: 'https://h', headers: { Authorization: '***' }, api_key: '***' },
      },
      tasks: {
        c: {
          type: 'command',
          command: 'curl https://u:***@h/x',
          env: { PASSWORD: '***', MODE: 'x' },
        },
        l: { type: 'load', destination: { keys: ['id'], table: 't' } },
      },
    })
    expect(JSON.stringify(spec)).toBe(before)
  })
})
