const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/@?#\s]*:)[^@?#\s]*@/i
const SECRET_QUERY =
  /([?&;])([^=&#;]*(?:pass|pwd|secret|token|key|auth|credential|signature)[^=&#;]*)=([^&#;]*)/gi

/**
 * A connection URL safe to show: the password of `scheme://user:password@host` and the values of
 * query parameters that look secret (`password=`, `sslkey=`, `token=`, …) become `***`.
 */
export function maskUrl(url: string): string {
  return url.replace(USERINFO_PASSWORD, '$1***@').replace(SECRET_QUERY, '$1$2=***')
}
