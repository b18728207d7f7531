import { SluiceError } from '../../core/sluice-error.js'

/**
 * The URL of `path` on a connection's base URL: an absolute `http(s)://` path is taken as is,
 * else it is appended to the base path (`https://api.x/v1` + `orders` = `https://api.x/v1/orders`);
 * `params` are set as query parameters (replacing any of the same name).
 */
export function httpUrl(
  base: string,
  path: string | undefined,
  params: Readonly<Record<string, string | number | boolean>> = {},
): URL {
  let url: URL
  try {
    if (path !== undefined && /^https?:\/\//i.test(path)) url = new URL(path)
    else {
      url = new URL(base)
      if (path !== undefined && path !== '') {
        const rel = path.replace(/^\/+/, '')
        const q = rel.indexOf('?')
        const relPath = q === -1 ? rel : rel.slice(0, q)
        url.pathname = `${url.pathname.replace(/\/+$/, '')}/${relPath}`
        if (q !== -1)
          for (const [k, v] of new URLSearchParams(rel.slice(q + 1))) url.searchParams.set(k, v)
      }
    }
  } catch {
    throw new SluiceError('E_SCHEMA_VALUE', `not a valid URL: ${base} with path ${path ?? ''}`, {
      hint: 'connection url: https://host[/base]; http path: /resource or an absolute URL',
    })
  }
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v))
  return url
}
