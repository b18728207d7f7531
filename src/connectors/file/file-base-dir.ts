import { fileURLToPath } from 'node:url'
import type { ConnectionConfig } from '../../data/connector-contract.js'

/** The directory relative paths resolve against: a `file:///dir` connection URL, else the cwd. */
export function fileBaseDir(conn: ConnectionConfig | undefined): string {
  const url = conn?.url ?? ''
  if (url.startsWith('file://')) return fileURLToPath(url)
  if (url.startsWith('file:') && url.length > 5) return url.slice(5)
  return process.cwd()
}
