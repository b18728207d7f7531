import type { SecretMask } from '../../core/secret-mask.js'
import type { HttpAuth } from './http-connection-options.js'
import { oauth2TokenCache } from './oauth2-token-cache.js'

/**
 * Adds a connection's credentials to a request: an Authorization header (bearer, basic, OAuth2
 * client credentials), or an API key as a header or query parameter (set on `url`).
 */
export async function httpAuthHeader(
  auth: HttpAuth | undefined,
  headers: Record<string, string>,
  url: URL,
  io: { mask: SecretMask; signal: AbortSignal; timeoutMs: number },
): Promise<void> {
  if (auth === undefined) return
  switch (auth.type) {
    case 'bearer':
      headers.authorization = `Bearer ${auth.token}`
      return
    case 'basic':
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
      return
    case 'api_key': {
      const name = auth.name ?? 'X-API-Key'
      if ((auth.in ?? 'header') === 'query') url.searchParams.set(name, auth.key)
      else headers[name.toLowerCase()] = auth.key
      return
    }
    case 'oauth2_client_credentials':
      headers.authorization = `Bearer ${await oauth2TokenCache.token(auth, io.mask, io.signal, io.timeoutMs)}`
      return
  }
}
