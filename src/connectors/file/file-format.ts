export type FileFormat = 'csv' | 'json' | 'jsonl' | 'parquet'
export type FileCompression = 'none' | 'gzip' | 'zstd'

const COMPRESSION_EXT: Record<string, FileCompression> = {
  gz: 'gzip',
  gzip: 'gzip',
  zst: 'zstd',
  zstd: 'zstd',
}
const FORMAT_EXT: Record<string, FileFormat> = {
  csv: 'csv',
  tsv: 'csv',
  txt: 'csv',
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  parquet: 'parquet',
  pq: 'parquet',
}

/**
 * Format and compression of a path from its extension (`orders.csv.gz` → csv, gzip). The format
 * is undefined when the extension says nothing (a directory, a bare glob).
 */
export function fileFormat(path: string): {
  format: FileFormat | undefined
  compression: FileCompression
  /** `.tsv`: tab-delimited. */
  tab: boolean
} {
  const base = path.split(/[\\/]/).pop() ?? ''
  const parts = base.toLowerCase().split('.')
  let ext = parts.length > 1 ? parts.pop()! : ''
  let compression: FileCompression = 'none'
  const c = COMPRESSION_EXT[ext]
  if (c !== undefined) {
    compression = c
    ext = parts.length > 1 ? parts.pop()! : ''
  }
  return { format: FORMAT_EXT[ext], compression, tab: ext === 'tsv' }
}
