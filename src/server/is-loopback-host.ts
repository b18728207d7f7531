import { isIP } from 'node:net'

/**
 * True for host names that only this machine can reach: `localhost`, 127.0.0.0/8, `::1` (and the
 * IPv4-mapped `::ffff:127.x.y.z`). `0.0.0.0` and `::` listen on every interface, so they are not.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
  if (h === 'localhost' || h.endsWith('.localhost')) return true
  if (isIP(h) === 4) return h.startsWith('127.')
  if (isIP(h) === 6) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)?.[1]
    return mapped !== undefined && mapped.startsWith('127.')
  }
  return false
}
