import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import type { FileReject } from './file-reject.js'

/** Raw text kept per rejected line (a longer line is cut, with a marker). */
const MAX_RAW = 10_000

export interface JsonlScan {
  readonly rejects: FileReject[]
  /** The files to read: the original, or a copy without the rejected lines. */
  readonly paths: string[]
  /** zstd files cannot be read here on Node 20; they are passed on unscanned. */
  readonly unscanned: string[]
  /** A folder of cleaned copies to remove after the read, if any were written. */
  readonly tempDir?: string
}

/**
 * Finds the lines of JSONL files that are not JSON objects (DuckDB's `read_json` would fail on
 * them, or with `ignore_errors` turn them into all-NULL rows) and, for a file that has any, writes
 * a copy without them, so the read skips exactly those lines. One streaming pass per file, a line
 * at a time (memory stays flat); gzip is read through zlib, copies are written uncompressed.
 */
export async function scanJsonlRejects(
  files: readonly string[],
  options: { readonly tempRoot?: string; readonly signal?: AbortSignal } = {},
): Promise<JsonlScan> {
  const rejects: FileReject[] = []
  const paths: string[] = []
  const unscanned: string[] = []
  let tempDir: string | undefined
  for (const file of files) {
    if (/\.(zst|zstd)$/i.test(file)) {
      unscanned.push(file)
      paths.push(file)
      continue
    }
    const found = await badLines(file, options.signal)
    if (found.length === 0) {
      paths.push(file)
      continue
    }
    rejects.push(...found)
    tempDir ??= await mkdtemp(join(options.tempRoot ?? tmpdir(), 'sluice-jsonl-'))
    const copy = join(tempDir, `${paths.length}-${basename(file).replace(/\.gz$/i, '')}`)
    await copyWithout(file, copy, new Set(found.map((r) => r.line)))
    paths.push(copy)
  }
  return { rejects, paths, unscanned, ...(tempDir !== undefined && { tempDir }) }
}

function lines(file: string): { input: Readable; each: AsyncIterable<string> } {
  let input: Readable = createReadStream(file)
  if (/\.gz$/i.test(file)) input = input.pipe(createGunzip())
  return { input, each: createInterface({ input, crlfDelay: Infinity }) }
}

async function badLines(file: string, signal: AbortSignal | undefined): Promise<FileReject[]> {
  const out: FileReject[] = []
  const { input, each } = lines(file)
  let n = 0
  try {
    for await (const line of each) {
      n++
      if (n % 10_000 === 0) signal?.throwIfAborted()
      if (line.trim() === '') continue
      const reason = problem(line)
      if (reason === undefined) continue
      out.push({
        file,
        line: n,
        reason,
        raw: line.length > MAX_RAW ? `${line.slice(0, MAX_RAW)}…` : line,
      })
    }
  } finally {
    input.destroy()
  }
  return out
}

async function copyWithout(file: string, to: string, skip: ReadonlySet<number>): Promise<void> {
  const { input, each } = lines(file)
  const out: Writable = createWriteStream(to)
  let n = 0
  try {
    for await (const line of each) {
      n++
      if (skip.has(n)) continue
      if (!out.write(`${line}\n`)) await once(out, 'drain')
    }
  } finally {
    input.destroy()
    out.end()
    await finished(out)
  }
}

function problem(line: string): string | undefined {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (e) {
    return `malformed JSON: ${e instanceof Error ? e.message : String(e)}`
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return `not a JSON object (${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`
  return undefined
}
