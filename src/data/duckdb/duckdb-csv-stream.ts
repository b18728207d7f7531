import { execFile } from 'node:child_process'
import { constants, createReadStream, type ReadStream } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { promisify } from 'node:util'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { TableSchema } from '../column-type.js'
import type { BulkCsv } from '../connector-contract.js'
import type { DuckDBEngine } from './duckdb-engine.js'
import { quoteIdentifier } from './quote-identifier.js'
import { quoteLiteral } from './quote-literal.js'

const run = promisify(execFile)

export interface DuckDBCsvStream extends BulkCsv {
  /** Settles once DuckDB let go of the pipe and the temporary directory is gone. */
  readonly closed: Promise<void>
}

export interface CsvStreamOptions {
  readonly signal: AbortSignal
  /**
   * Runs after DuckDB wrote the last row and before the stream ends, on the query's connection
   * (which holds its temporary tables); a throw fails the stream.
   */
  readonly beforeEnd?: (c: DuckDBConnection) => Promise<void>
  /** Maps a DuckDB error to the error the stream fails with. */
  readonly wrapError?: (e: unknown) => unknown
  /** Where the FIFO's temporary directory goes; default the OS temp directory. */
  readonly tempDir?: string
}

/** Whether this platform has named pipes (`mkfifo`); elsewhere callers take the row path. */
export const canStreamCsv = process.platform !== 'win32'

/**
 * Streams a DuckDB query's result as RFC 4180 CSV (UTF-8, header line, `,` and `"`, NULL as an
 * empty unquoted field and '' as `""`, binary as `\x` hex) without a JS row loop: DuckDB runs
 * `COPY (<sql>) TO '<fifo>' (FORMAT csv, HEADER)` into a named pipe that Node reads. The query runs
 * on its own connection; aborting `signal` or destroying the stream interrupts it (the pipe is
 * drained until DuckDB lets go, so it never blocks on a full pipe), and the FIFO's temporary
 * directory is removed when DuckDB is done. Undefined when no named pipe can be made here.
 */
export async function duckdbCsvStream(
  engine: DuckDBEngine,
  sql: string,
  schema: TableSchema,
  options: CsvStreamOptions,
): Promise<DuckDBCsvStream | undefined> {
  options.signal.throwIfAborted()
  const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'sluice-csv-'))
  const fifo = join(dir, 'rows.csv')
  let c: DuckDBConnection
  try {
    await run('mkfifo', ['-m', '600', fifo])
  } catch {
    await rm(dir, { recursive: true, force: true })
    return undefined // no mkfifo here: the caller takes the row path
  }
  try {
    c = await engine.connect()
  } catch (e) {
    await rm(dir, { recursive: true, force: true })
    throw e
  }
  const columns = schema.columns.map(({ name, type }) => {
    const q = quoteIdentifier(name)
    return type.kind === 'binary' ? `'\\x' || hex(${q}) AS ${q}` : q
  })
  const copy = `COPY (SELECT ${columns.join(', ')} FROM (${sql})) TO ${quoteLiteral(fifo)} (FORMAT csv, HEADER true)`
  // DuckDB blocks opening the FIFO until a reader opens it; the reader's open blocks in a libuv
  // thread until DuckDB opens it for writing.
  let readerState: 'opening' | 'open' | 'closed' = 'opening'
  const query = c.run(copy).then(
    () => undefined,
    (e: unknown) => {
      throw options.wrapError ? options.wrapError(e) : e
    },
  )
  const settled = query.then(
    () => undefined,
    () => undefined,
  )
  // A pipe holds 64 KiB: bigger reads would allocate buffers mostly left empty (GC churn).
  const fifoStream: ReadStream = createReadStream(fifo, { highWaterMark: 1 << 16 })
  fifoStream.on('open', () => (readerState = 'open'))
  fifoStream.on('close', () => (readerState = 'closed'))
  let draining = false
  const drain = (): void => {
    if (draining) return
    draining = true
    fifoStream.removeAllListeners('data')
    fifoStream.on('data', () => {})
    fifoStream.on('error', () => {})
    fifoStream.resume()
  }
  const interrupt = (): void => {
    c.interrupt()
    drain()
  }
  // When DuckDB ends without ever opening the pipe (a bind error, an interrupt), unblock the
  // reader.
  void settled.then(async () => {
    while (readerState === 'opening') {
      try {
        const h = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
        await h.close()
        return
      } catch {
        await new Promise((r) => setTimeout(r, 10))
      }
    }
  })
  // The work after the last row (`beforeEnd`) uses the connection too; 'end' precedes 'close'.
  let tail: Promise<void> = Promise.resolve()
  const closed = settled.then(async () => {
    await new Promise<void>((r) => (readerState === 'closed' ? r() : fifoStream.once('close', r)))
    await tail
    engine.release(c)
    await rm(dir, { recursive: true, force: true })
  })

  let finished = false
  const out = new Readable({
    highWaterMark: 1 << 20,
    read() {
      if (!draining) fifoStream.resume()
    },
    destroy(err, cb) {
      options.signal.removeEventListener('abort', onAbort)
      if (!finished) interrupt()
      cb(err)
    },
  })
  // It may fail before its consumer attaches (a bad line found at the end of a small file); the
  // consumer still sees the error (`pipeline` and `finished` report an already errored stream).
  out.on('error', () => {})
  const onAbort = (): void => {
    out.destroy(Object.assign(new Error('cancelled'), { name: 'AbortError' }))
  }
  options.signal.addEventListener('abort', onAbort, { once: true })
  if (options.signal.aborted) onAbort()
  fifoStream.on('data', (chunk) => {
    if (!out.push(chunk)) fifoStream.pause()
  })
  fifoStream.on('error', (e) => out.destroy(e))
  fifoStream.on('end', () => {
    if (draining) return
    tail = query
      .then(async () => {
        await options.beforeEnd?.(c)
        finished = true
        options.signal.removeEventListener('abort', onAbort)
        out.push(null)
      })
      .catch((e: unknown) => {
        out.destroy(e as Error)
      })
  })
  // A failure while rows are flowing fails the stream at once.
  query.catch((e: unknown) => out.destroy(e as Error))
  return { schema, stream: out, closed }
}
