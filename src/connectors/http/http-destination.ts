import { parseDuration } from '../../core/duration.js'
import { SluiceError } from '../../core/sluice-error.js'
import type { HttpDestinationSpec } from '../../core/spec/http-io-schema.js'
import type {
  ConnectionConfig,
  Destination,
  RejectedRecord,
  WriteContext,
  WriteResult,
} from '../../data/connector-contract.js'
import type { RowBatch } from '../../data/row-batch.js'
import { HttpClient, type HttpRequest } from './http-client.js'
import { httpDestinationOptions } from './http-destination-options.js'
import { httpUrl } from './http-url.js'
import { idempotencyKey } from './idempotency-key.js'
import { rowToJson } from './row-to-json.js'

/** 4xx that mean the request or its credentials are wrong, not the rows: they fail the load. */
const NOT_THE_ROWS = new Set([401, 403, 404, 405, 406, 407, 408, 410, 411, 414, 415, 421, 426])

/**
 * POSTs rows to an HTTP endpoint in batches (`http.batch_size`, default 500) as a JSON array
 * (optionally inside an `envelope` object) or JSONL, each with a deterministic idempotency key
 * header. 429/5xx and network errors are retried by the client. A batch the server refuses with
 * another 4xx (400, 409, 422, …) is a dead letter: with `on_error: skip | quarantine` its rows are
 * returned as rejected (`file` = URL, `line` = row of the load, `reason` = status and body,
 * `raw` = the row as JSON) and the load goes on; otherwise the load fails.
 */
export class HttpDestination implements Destination {
  private readonly client: HttpClient
  private readonly http: HttpDestinationSpec
  private readonly batchSize: number

  constructor(conn: ConnectionConfig, options: Readonly<Record<string, unknown>>) {
    const parsed = httpDestinationOptions.safeParse(options)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `destination on ${conn.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      )
    for (const key of ['table', 'path'] as const)
      if (options[key] !== undefined)
        throw new SluiceError(
          'E_SCHEMA_VALUE',
          `destination on http connection ${conn.name}: \`${key}:\` is not used by http destinations`,
          { hint: 'put the endpoint under `http:` (http.path)' },
        )
    this.http = parsed.data.http ?? {}
    this.batchSize = this.http.batch_size ?? 500
    this.client = new HttpClient(conn)
  }

  async write(ctx: WriteContext, batches: AsyncIterable<RowBatch>): Promise<WriteResult> {
    if (ctx.mode !== 'append')
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `http destination on ${this.client.name}: mode ${ctx.mode} is not supported`,
        { hint: 'an HTTP endpoint only receives rows: use mode: append (the default)' },
      )
    if (ctx.watermark)
      ctx.log(
        'an http destination keeps no watermark: the incremental source reads from its initial value each run',
      )
    const url = httpUrl(this.client.base, this.http.path)
    const endpoint = this.client.show(url)
    const rejected: RejectedRecord[] = []
    let written = 0
    let batchIndex = 0
    let rowBase = 0
    let pending: string[] = []
    const columns = ctx.schema.columns
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return
      const objects = pending
      pending = []
      const index = batchIndex++
      const first = rowBase
      rowBase += objects.length
      const body =
        (this.http.format ?? 'json') === 'jsonl'
          ? `${objects.join('\n')}\n`
          : this.http.envelope !== undefined
            ? `{${JSON.stringify(this.http.envelope)}:[${objects.join(',')}]}`
            : `[${objects.join(',')}]`
      const header = this.http.idempotency_header ?? 'Idempotency-Key'
      const req: HttpRequest = {
        method: this.http.method ?? 'POST',
        url,
        headers: {
          ...this.http.headers,
          'content-type':
            this.http.format === 'jsonl' ? 'application/x-ndjson' : 'application/json',
          ...(header !== false && { [header]: idempotencyKey(String(url), index, body) }),
        },
        body,
        ...(this.http.timeout !== undefined && { timeoutMs: parseDuration(this.http.timeout) }),
      }
      const res = await this.client.send(req, ctx.signal, (t) => ctx.log(t))
      if (res.status >= 200 && res.status < 300) {
        written += objects.length
        return
      }
      if (res.status < 400 || res.status >= 500 || NOT_THE_ROWS.has(res.status) || !ctx.rejects) {
        const err = this.client.statusError(req, res)
        throw new SluiceError(
          err.code,
          `${err.message} (batch ${index + 1}, rows ${first + 1}-${first + objects.length})`,
          {
            hint:
              NOT_THE_ROWS.has(res.status) || res.status < 400
                ? err.hint
                : 'the server refused this batch; set on_error: skip | quarantine to set refused batches aside',
          },
        )
      }
      const reason = `${res.status}: ${this.client.mask.mask(res.text.slice(0, 300).trim())}`
      ctx.log(`${endpoint} refused batch ${index + 1} (${objects.length} rows): ${reason}`)
      objects.forEach((raw, i) =>
        rejected.push({ file: endpoint, line: first + i + 1, reason, raw }),
      )
      if (rejected.length > ctx.rejects.max)
        throw new SluiceError(
          'E_ROWS_REJECTED',
          `${endpoint} refused ${rejected.length} rows, more than max_bad_rows ${ctx.rejects.max}`,
          { hint: `last refusal: ${reason.slice(0, 200)}` },
        )
    }
    for await (const batch of batches) {
      if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'http write cancelled')
      for (const row of batch.rows) {
        pending.push(rowToJson(row, columns))
        if (pending.length >= this.batchSize) await flush()
      }
    }
    await flush()
    return {
      rowsWritten: written,
      rowsRejected: rejected.length,
      ...(ctx.rejects && { rejected }),
    }
  }

  readWatermark(): Promise<unknown> {
    return Promise.resolve(undefined)
  }

  async close(): Promise<void> {}
}
