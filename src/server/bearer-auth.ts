import type { MiddlewareHandler } from 'hono'
import { SluiceError } from '../core/sluice-error.js'
import { tokensEqual } from './tokens-equal.js'

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** Probes stay open so a load balancer or orchestrator can call them without the token. */
const ALWAYS_OPEN = new Set(['/healthz', '/readyz'])

/**
 * With a token, every mutating call (POST, PUT, PATCH, DELETE) must send
 * `Authorization: Bearer <token>`; with `readToken` reads need it too (except /healthz and
 * /readyz). Without a token every call is open: `startServer` only allows that on loopback.
 * Refusals throw E_AUTH (401).
 */
export function bearerAuth(options: {
  readonly token: string | undefined
  readonly readToken: boolean
}): MiddlewareHandler {
  const { token, readToken } = options
  return async (c, next) => {
    if (token === undefined || token === '') return next()
    const mutating = MUTATING.has(c.req.method.toUpperCase())
    if (!mutating && (!readToken || ALWAYS_OPEN.has(c.req.path))) return next()
    const header = c.req.header('authorization')
    if (header === undefined || header.trim() === '') {
      throw new SluiceError(
        'E_AUTH',
        `${c.req.method} ${c.req.path} needs an Authorization: Bearer token`,
        { hint: 'send the token given to `sluice serve --token` (or SLUICE_API_TOKEN)' },
      )
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (!m?.[1] || !tokensEqual(m[1], token)) {
      throw new SluiceError(
        'E_AUTH',
        `the bearer token for ${c.req.method} ${c.req.path} is wrong`,
        {
          hint: 'use the token `sluice serve` was started with, as `Authorization: Bearer <token>`',
        },
      )
    }
    return next()
  }
}
