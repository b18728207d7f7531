import type { PipelineSpec } from '../core/spec/pipeline-spec.js'
import { setOwn } from '../core/set-own.js'
import { maskUrl } from './mask-url.js'

const SECRET_KEY =
  /^(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|authorization|auth|credentials?|bearer)$/i
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:[^@\s]*@\S*/gi

/**
 * A deep copy of a pipeline definition that is safe to return from the API: every URL (connection
 * URLs and URLs inside any string) loses its password and secret-looking query values, and string
 * values under secret-looking keys (`password`, `token`, `api_key`, `authorization`, …) become `***`.
 */
export function maskSpec(spec: PipelineSpec): PipelineSpec {
  return maskValue(spec, undefined) as PipelineSpec
}

function maskValue(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && SECRET_KEY.test(key)) return '***'
    if (key === 'url') return maskUrl(value)
    return value.replace(URL_WITH_PASSWORD, (u) => maskUrl(u))
  }
  if (Array.isArray(value)) return value.map((v) => maskValue(v, undefined))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      // a connection written as a plain URL string is a URL too
      setOwn(out, k, maskValue(v, key === 'connections' && typeof v === 'string' ? 'url' : k))
    }
    return out
  }
  return value
}
