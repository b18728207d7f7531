import { promisify } from 'node:util'
import { gzip as gzipCb } from 'node:zlib'
import { SluiceError } from '../../core/sluice-error.js'
import {
  influxdbDestinationSchema,
  type InfluxdbDestinationSpec,
} from '../../core/spec/influxdb-io-schema.js'
import type {
  ConnectionConfig,
  Destination,
  RejectedRecord,
  WatermarkRef,
  WriteContext,
  WriteResult,
} from '../../data/connector-contract.js'
import type { RowBatch } from '../../data/row-batch.js'
import type { TableSchema, Value } from '../../data/column-type.js'
import { ensureInfluxStorage } from './ensure-influx-storage.js'
import { InfluxClient } from './influxdb-client.js'
import { readInfluxWatermark } from './influxdb-watermark.js'
import { influxWriteError, type WrittenBatch } from './influxdb-write-error.js'
import { lineProtocol } from './line-protocol.js'
import { PointEncoder } from './point-encoder.js'

const gzip = promisify(gzipCb)
export const STATE_MEASUREMENT = '_sluice_state'
const DEFAULT_BATCH = 5000

function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'bigint'
      ? x.toString()
      : x instanceof Uint8Array
        ? Buffer.from(x).toString('base64')
        : x,
  )
}

/**
 * Writes rows as InfluxDB points: each row becomes one line of line protocol (PointEncoder),
 * `batch_size` points per request (gzipped with `gzip: true`), up to `max_in_flight` requests at
 * once, retried by InfluxClient. InfluxDB has no transactions: the watermark is written as a point
 * of `_sluice_state` after every batch succeeded (at-least-once; a re-run rewrites the same points,
 * which overwrite themselves since measurement + tags + time identify a point).
 */
export class InfluxdbDestination implements Destination {
  private readonly client: InfluxClient
  private readonly spec: InfluxdbDestinationSpec
  private readonly create: boolean

  constructor(conn: ConnectionConfig, options: Readonly<Record<string, unknown>>) {
    this.client = new InfluxClient(conn)
    const parsed = influxdbDestinationSchema.safeParse(options.influxdb ?? {})
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `destination.influxdb on ${conn.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      )
    this.spec = parsed.data
    this.create = options.create !== false
  }

  async write(ctx: WriteContext, batches: AsyncIterable<RowBatch>): Promise<WriteResult> {
    if (ctx.mode !== 'append' && ctx.mode !== 'merge')
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `influxdb destinations do not support mode ${ctx.mode}`,
        {
          hint: 'use mode: append (a point with the same measurement, tags and time overwrites the old one)',
        },
      )
    const client = this.client
    const where = client.target
    const log = (text: string): void => ctx.log(text)
    if (this.create) await ensureInfluxStorage(client, ctx.signal, log)
    const batchSize = this.spec.batch_size ?? DEFAULT_BATCH
    const maxInFlight = this.spec.max_in_flight ?? 2
    const precision = this.spec.precision ?? 'ns'
    const useGzip = this.spec.gzip ?? false
    const inFlight = new Set<Promise<void>>()
    let failure: Error | undefined
    let written = 0
    const send = async (batch: WrittenBatch): Promise<void> => {
      const text = batch.lines.join('\n')
      const body = useGzip ? await gzip(text) : text
      await client.write(body, { precision, gzip: useGzip, signal: ctx.signal }, (status, error) =>
        influxWriteError(status, error, batch, where),
      )
      written += batch.lines.length
    }
    const flush = async (batch: WrittenBatch): Promise<void> => {
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight)
      if (failure !== undefined) throw failure
      const p: Promise<void> = send(batch).then(
        () => {
          inFlight.delete(p)
        },
        (e: unknown) => {
          inFlight.delete(p)
          failure ??= e instanceof Error ? e : new Error(String(e))
        },
      )
      inFlight.add(p)
    }

    const setAside: RejectedRecord[] = []
    let skipped = 0
    let encoder: PointEncoder | undefined
    let schema: TableSchema | undefined
    let lines: string[] = []
    let rows: number[] = []
    let seen = 0
    try {
      for await (const batch of batches) {
        if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'load cancelled')
        if (schema !== batch.schema) {
          encoder = new PointEncoder(batch.schema, this.spec, log)
          schema = batch.schema
        }
        const enc = encoder!
        for (const row of batch.rows) {
          seen++
          const line = enc.encode(row)
          if (line === undefined) {
            skipped++
            this.reject(ctx, setAside, seen, enc.skipReason, batch.schema, row)
            continue
          }
          lines.push(line)
          rows.push(seen)
          if (lines.length >= batchSize) {
            await flush({ lines, rows })
            lines = []
            rows = []
          }
        }
      }
      if (lines.length > 0) await flush({ lines, rows })
    } finally {
      await Promise.all(inFlight)
    }
    if (failure !== undefined) throw failure
    if (encoder && encoder.nonFinite > 0)
      ctx.log(`influxdb: left out ${encoder.nonFinite} NaN/Infinity field values`)
    if (skipped > 0) ctx.log(`influxdb: skipped ${skipped} rows that made no point`)
    if (ctx.watermark) await this.saveWatermark(ctx.watermark, ctx.signal)
    ctx.log(`wrote ${written} points to ${where}`)
    return {
      rowsWritten: written,
      rowsRejected: skipped,
      ...(ctx.rejects && { rejected: setAside }),
    }
  }

  private reject(
    ctx: WriteContext,
    setAside: RejectedRecord[],
    row: number,
    reason: string,
    schema: TableSchema,
    values: readonly Value[],
  ): void {
    if (!ctx.rejects) return
    if (setAside.length >= ctx.rejects.max)
      throw new SluiceError(
        'E_ROWS_REJECTED',
        `influxdb destination skipped more than max_bad_rows (${ctx.rejects.max}) rows; row ${row}: ${reason}`,
        { row, hint: 'fix the rows, or raise max_bad_rows' },
      )
    setAside.push({
      file: this.spec.measurement ?? this.client.target,
      line: row,
      reason,
      raw: jsonText(Object.fromEntries(schema.columns.map((c, j) => [c.name, values[j]]))),
    })
  }

  /** `_sluice_state,pipeline=P,key=K value="<json>" <now ms>`, after the rows' batches. */
  private async saveWatermark(
    wm: WatermarkRef & { readonly value: unknown },
    signal: AbortSignal,
  ): Promise<void> {
    const line =
      `${STATE_MEASUREMENT},key=${lineProtocol.key(wm.key)},pipeline=${lineProtocol.key(wm.pipeline)} ` +
      `value=${lineProtocol.stringField(jsonText(wm.value ?? null))} ${Date.now()}`
    await this.client.write(line, { precision: 'ms', gzip: false, signal }, (status, error) =>
      influxWriteError(
        status,
        error,
        { lines: [line], rows: [0] },
        `${this.client.target} (watermark)`,
      ),
    )
  }

  async readWatermark(ref: WatermarkRef): Promise<unknown> {
    return readInfluxWatermark(this.client, ref)
  }

  async close(): Promise<void> {}
}
