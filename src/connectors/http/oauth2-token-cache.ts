import { parseDuration } from '../../core/duration.js'
import type { SecretMask } from '../../core/secret-mask.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { HttpAuth } from './http-connection-options.js'

type OAuth2 = Extract<HttpAuth, { type: 'oauth2_client_credentials' }>

interface Token {
  readonly value: string
  /** performance.now() after which a new token is fetched. */
  readonly refreshAt: number
}

const tokens = new Map<string, Promise<Token>>()

function cacheKey(auth: OAuth2): string {
  return JSON.stringify([auth.token_url, auth.client_id, auth.scope ?? '', auth.audience ?? ''])
}

/**
 * OAuth2 client-credentials access tokens, cached per (token URL, client, scope, audience) for the
 * whole process and fetched anew `refresh_before` (at most half the token's life) before expiry;
 * concurrent callers share one token request.
 */
export const oauth2TokenCache = {
  async token(
    auth: OAuth2,
    mask: SecretMask,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<string> {
    const key = cacheKey(auth)
    const hit = tokens.get(key)
    if (hit) {
      try {
        const t = await hit
        if (performance.now() < t.refreshAt) return t.value
      } catch {
        // a failed fetch is not cached: fetch again below
      }
      if (tokens.get(key) !== hit) return oauth2TokenCache.token(auth, mask, signal, timeoutMs)
    }
    const p = fetchToken(auth, mask, signal, timeoutMs)
    tokens.set(key, p)
    p.catch(() => {
      if (tokens.get(key) === p) tokens.delete(key)
    })
    return (await p).value
  },

  /** Forget the cached token (the API answered 401 with it). */
  invalidate(auth: OAuth2): void {
    tokens.delete(cacheKey(auth))
  },
}

async function fetchToken(
  auth: OAuth2,
  mask: SecretMask,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Token> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' })
  if (auth.scope !== undefined) form.set('scope', auth.scope)
  if (auth.audience !== undefined) form.set('audience', auth.audience)
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  }
  if ((auth.client_auth ?? 'basic') === 'basic') {
    const enc = (s: string): string => encodeURIComponent(s)
    headers.authorization = `Basic ${Buffer.from(`${enc(auth.client_id)}:${enc(auth.client_secret)}`).toString('base64')}`
  } else {
    form.set('client_id', auth.client_id)
    form.set('client_secret', auth.client_secret)
  }
  const started = performance.now()
  let res: Response
  let text: string
  try {
    res = await fetch(auth.token_url, {
      method: 'POST',
      headers,
      body: form.toString(),
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    })
    text = await res.text()
  } catch (e) {
    if (signal.aborted) throw new SluiceError('E_CANCELLED', 'OAuth2 token request cancelled')
    throw new SluiceError(
      'E_NETWORK',
      mask.mask(`OAuth2 token request to ${auth.token_url} failed: ${(e as Error).message}`),
      { cause: e },
    )
  }
  if (!res.ok) {
    const retryable = res.status === 429 || res.status >= 500
    throw new SluiceError(
      retryable ? 'E_NETWORK' : 'E_HTTP_AUTH',
      mask.mask(
        `OAuth2 token endpoint ${auth.token_url} answered ${res.status}: ${text.slice(0, 200)}`,
      ),
      { hint: retryable ? undefined : 'check client_id, client_secret, scope and token_url' },
    )
  }
  let body: { access_token?: unknown; expires_in?: unknown }
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    throw new SluiceError(
      'E_HTTP_AUTH',
      `OAuth2 token endpoint ${auth.token_url} did not answer JSON`,
    )
  }
  if (typeof body.access_token !== 'string' || body.access_token === '')
    throw new SluiceError(
      'E_HTTP_AUTH',
      `OAuth2 token endpoint ${auth.token_url} answered without an access_token`,
    )
  mask.add(body.access_token)
  const lifeMs = Number(body.expires_in) > 0 ? Number(body.expires_in) * 1000 : 3_600_000
  const before =
    auth.refresh_before === undefined ? 60_000 : (parseDuration(auth.refresh_before) ?? 60_000)
  return {
    value: body.access_token,
    refreshAt: started + Math.max(lifeMs - before, lifeMs / 2),
  }
}
