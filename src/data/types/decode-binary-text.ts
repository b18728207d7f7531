const HEX = /^(?:\\x|0x)((?:[0-9a-fA-F]{2})*)$/
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/

/**
 * Bytes from text: hex when prefixed with `\x` (PostgreSQL bytea) or `0x`, otherwise base64
 * (standard or URL-safe alphabet, padding optional). Undefined when the text is neither.
 */
export function decodeBinaryText(text: string): Uint8Array | undefined {
  const hex = HEX.exec(text)
  if (hex) return new Uint8Array(Buffer.from(hex[1] ?? '', 'hex'))
  if (!BASE64.test(text)) return undefined
  const body = text.replace(/=+$/, '')
  if (body.length % 4 === 1) return undefined
  const padded = text.length - body.length
  if (padded > 0 && text.length % 4 !== 0) return undefined
  return new Uint8Array(Buffer.from(body, 'base64'))
}
