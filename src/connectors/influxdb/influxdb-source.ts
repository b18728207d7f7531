import { SluiceError } from '../../core/sluice-error.js'
import {
  influxdbSourceSchema,
  type InfluxdbSourceSpec,
} from '../../core/spec/influxdb-io-schema.js'
import { incrementalSchema } from '../../core/spec/io-schema.js'
import type { ColumnType, TableSchema } from '../../data/column-type.js'
import type { ConnectionConfig, ReadContext, Source } from '../../data/connector-contract.js'
import type { RowBatch } from '../../data/row-batch.js'
import { FluxReader } from './flux-reader.js'
import { InfluxClient } from './influxdb-client.js'
import { fluxString, influxqlString } from './influxdb-watermark.js'
import { addTimeCondition } from './influxql-since.js'
import { InfluxqlReader } from './influxql-reader.js'

/** `$since` on a first run without `initial`: near InfluxDB's earliest time (1677-09-21; an earlier literal underflows). */
export const INFLUX_MIN_TIME = '1678-01-01T00:00:00Z'

type Reader = InfluxqlReader | FluxReader

/**
 * Reads an InfluxQL query (v1 /query, chunked) or a Flux script (v2 /api/v2/query, annotated CSV)
 * as row batches. Incremental reads (`incremental: { column: time }`) resume after the largest
 * time read: `$since` in the query stands for it (an InfluxQL time literal, a Flux `time(v: …)`),
 * or, in InfluxQL without `$since`, `time > '<watermark>'` is added to the WHERE clause.
 */
export class InfluxdbSource implements Source {
  private readonly client: InfluxClient
  private readonly spec: InfluxdbSourceSpec
  private readonly language: 'influxql' | 'flux'
  private readonly incremental:
    { column: string; initial?: string | number | undefined } | undefined
  private readonly declared: Record<string, ColumnType> = {}
  private readonly batchSize: number | undefined
  private reader: Reader | undefined
  private readerSince: unknown
  private since: string | undefined
  private last: string | undefined

  constructor(conn: ConnectionConfig, options: Readonly<Record<string, unknown>>) {
    this.client = new InfluxClient(conn)
    const parsed = influxdbSourceSchema.safeParse(options.influxdb)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `source.influxdb on ${conn.name}: ${options.influxdb === undefined ? 'missing (add influxdb: { query: … })' : parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      )
    this.spec = parsed.data
    this.language = this.spec.language ?? (this.client.version === 1 ? 'influxql' : 'flux')
    if (this.language === 'flux' && this.client.version === 1)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `Flux needs a version 2 connection (${conn.name} is version 1)`,
        {
          hint: 'set version: 2, or write the query in InfluxQL',
        },
      )
    if (this.language === 'influxql' && this.client.version === 2)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `InfluxQL sources need a version 1 connection (${conn.name} is version 2)`,
        {
          hint: 'write the query in Flux (language: flux)',
        },
      )
    const inc =
      options.incremental === undefined
        ? undefined
        : incrementalSchema.safeParse(options.incremental)
    if (inc && !inc.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `source incremental on ${conn.name}: ${inc.error.message}`,
      )
    this.incremental = inc?.data
    if (this.incremental && this.language === 'influxql' && this.incremental.column !== 'time')
      throw new SluiceError('E_SCHEMA_VALUE', 'InfluxQL incremental reads go by time', {
        hint: 'write incremental: { column: time }',
      })
    if (this.incremental && this.language === 'flux' && !this.spec.query.includes('$since'))
      throw new SluiceError('E_SCHEMA_VALUE', 'an incremental Flux query must use $since', {
        hint: 'e.g. |> range(start: $since) |> filter(fn: (r) => r._time > $since)',
      })
    const columns = options.columns as Record<string, string> | undefined
    for (const [name, kind] of Object.entries(columns ?? {}))
      this.declared[name] = kind === 'decimal' ? { kind: 'string' } : ({ kind } as ColumnType)
    this.batchSize = typeof options.batch_size === 'number' ? options.batch_size : undefined
  }

  /** The query text this read runs. */
  plan(ctx: Pick<ReadContext, 'since'>): { query: string } {
    const raw = ctx.since ?? this.incremental?.initial
    const since =
      typeof raw === 'number' || typeof raw === 'string'
        ? raw
        : typeof raw === 'bigint'
          ? Number(raw)
          : undefined
    this.since = typeof ctx.since === 'string' ? ctx.since : undefined
    const q = this.spec.query
    if (this.language === 'flux') {
      if (!q.includes('$since')) return { query: q }
      const t =
        typeof since === 'number' ? new Date(since / 1e6).toISOString() : (since ?? INFLUX_MIN_TIME)
      return { query: q.replace(/\$since\b/g, `time(v: ${fluxString(t)})`) }
    }
    if (q.includes('$since')) {
      const literal =
        typeof since === 'number' ? String(since) : influxqlString(since ?? INFLUX_MIN_TIME)
      return { query: q.replace(/\$since\b/g, literal) }
    }
    if (this.incremental && since !== undefined) return { query: addTimeCondition(q, since) }
    return { query: q }
  }

  private open(ctx: ReadContext): Reader {
    // schema() opened it with the same watermark: keep its first chunk
    if (this.reader && this.readerSince === ctx.since) return this.reader
    this.readerSince = ctx.since
    const { query } = this.plan(ctx)
    const log = (text: string): void => ctx.log(text)
    this.reader =
      this.language === 'flux'
        ? new FluxReader(this.client, query, this.incremental?.column, log, ctx.signal)
        : new InfluxqlReader(
            this.client,
            query,
            this.spec.chunk_size ?? this.batchSize ?? ctx.batchRows,
            this.declared,
            log,
            ctx.signal,
          )
    return this.reader
  }

  async schema(ctx: ReadContext): Promise<TableSchema> {
    return this.open(ctx).schema()
  }

  async *read(ctx: ReadContext): AsyncIterable<RowBatch> {
    const reader = this.open(ctx)
    const schema = await reader.schema()
    for await (const rows of reader.batches(this.batchSize ?? ctx.batchRows)) {
      if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'read cancelled')
      yield { schema, rows }
    }
    this.reader = undefined
    this.last = reader.maxTime
  }

  watermark(): string | undefined {
    return this.last ?? this.since
  }

  async close(): Promise<void> {}
}
