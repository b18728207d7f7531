/** The `rel="next"` target of an RFC 8288 `Link` header, resolved against `base`; or undefined. */
export function linkNext(header: string | null, base: string): string | undefined {
  if (!header) return undefined
  const re = /<([^>]*)>((?:\s*;\s*[^;,]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g
  for (let m = re.exec(header); m; m = re.exec(header)) {
    const params = m[2] ?? ''
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]*))/i.exec(params)
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/)
    if (rels.includes('next')) return new URL(m[1]!, base).toString()
  }
  return undefined
}
