import { appendFile, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { maskUrl } from './mask-url.js'
import type { OpenLineageRunEvent } from './openlineage-event.js'

/** Where OpenLineage events go: a JSONL file, an HTTP endpoint (Marquez: `…/api/v1/lineage`), or both. */
export interface OpenLineageEmitterOptions {
  readonly file?: string
  readonly url?: string
  /** Extra headers (e.g. `Authorization: Bearer …`). */
  readonly headers?: Readonly<Record<string, string>>
  /** Per POST. Default 5000 ms. */
  readonly timeoutMs?: number
  /** Told about every failed emission (with the URL masked); default: nothing. */
  readonly onError?: (message: string, error: unknown) => void
  /** For tests. Default global fetch. */
  readonly fetch?: typeof fetch
}

export interface OpenLineageEmitter {
  /** Queues an event; returns at once and never throws (lineage must not slow or fail a run). */
  emit(event: OpenLineageRunEvent): void
  /** Resolves when every queued event was written or given up. */
  flush(): Promise<void>
}

/**
 * Sends OpenLineage RunEvents asynchronously, in order: appended as one JSON line each to
 * `file`, and/or POSTed as JSON to `url` with a timeout. A failure is reported to `onError`
 * (log it as a warning) and dropped: emission never fails a run.
 */
export function createOpenLineageEmitter(options: OpenLineageEmitterOptions): OpenLineageEmitter {
  const doFetch = options.fetch ?? fetch
  const timeoutMs = options.timeoutMs ?? 5000
  const report = (message: string, e: unknown) => {
    try {
      options.onError?.(message, e)
    } catch {
      // a broken logger must not break the chain
    }
  }
  let chain: Promise<void> = Promise.resolve()
  let madeDir = false

  const send = async (event: OpenLineageRunEvent): Promise<void> => {
    if (options.file !== undefined) {
      try {
        if (!madeDir) {
          await mkdir(dirname(options.file), { recursive: true })
          madeDir = true
        }
        await appendFile(options.file, `${JSON.stringify(event)}\n`)
      } catch (e) {
        report(`OpenLineage event not written to ${options.file}: ${(e as Error).message}`, e)
      }
    }
    if (options.url !== undefined) {
      const where = maskUrl(options.url)
      try {
        const res = await doFetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(timeoutMs),
        })
        await res.body?.cancel()
        if (!res.ok) report(`OpenLineage endpoint ${where} answered HTTP ${res.status}`, undefined)
      } catch (e) {
        report(`OpenLineage event not sent to ${where}: ${(e as Error).message}`, e)
      }
    }
  }

  return {
    emit(event) {
      chain = chain.then(() => send(event))
    },
    flush() {
      return chain
    },
  }
}
