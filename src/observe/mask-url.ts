/**
 * A URL safe to print: scheme, host and port only, with `/***` when a path or query followed
 * (webhook URLs carry their secret in the path or query, e.g. Slack's /services/T/B/secret, and
 * a user:password@ is dropped). Text that is not a URL becomes `***`.
 */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url)
    const rest = u.pathname !== '/' || u.search !== '' || u.hash !== ''
    return `${u.protocol}//${u.host}${rest ? '/***' : ''}`
  } catch {
    return '***'
  }
}
