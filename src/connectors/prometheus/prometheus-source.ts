import { parseDuration } from '../../core/duration.js'
import { SluiceError } from '../../core/sluice-error.js'
import {
  prometheusSourceSchema,
  type PrometheusSourceSpec,
} from '../../core/spec/prometheus-io-schema.js'
import type { Column, TableSchema, Value } from '../../data/column-type.js'
import type { ConnectionConfig, ReadContext, Source } from '../../data/connector-contract.js'
import type { RowBatch } from '../../data/row-batch.js'
import { labelColumns, labelLayout, type LabelLayout } from './label-layout.js'
import { parsePromTime } from './parse-prom-time.js'
import { DROP, parseSampleValue, type NonFinitePolicy } from './parse-sample-value.js'
import { planChunks, type Chunk } from './plan-chunks.js'
import { PrometheusClient } from './prometheus-client.js'

type Labels = Readonly<Record<string, string>>
type Sample = readonly [number, string]
interface Series {
  readonly metric: Labels
  readonly values?: readonly Sample[]
  readonly value?: Sample
}
interface Incremental {
  readonly column: string
  readonly lookback?: string | number
  readonly initial?: string | number
}

const DEFAULT_CHUNK_POINTS = 10_000
const SAMPLE_FIXED = ['timestamp', 'metric', 'value', 'labels']
const SERIES_FIXED = ['metric', 'labels']

const tsColumn: Column = { name: 'timestamp', type: { kind: 'timestamptz' }, nullable: false }
const metricColumn: Column = { name: 'metric', type: { kind: 'string' }, nullable: false }
const valueColumn: Column = { name: 'value', type: { kind: 'float64' }, nullable: true }

const seconds = (ms: number): string => String(ms / 1000)
const iso = (ms: number): string => new Date(ms).toISOString()

/**
 * Reads Prometheus in long form, one row per sample: `timestamp`, `metric` (`__name__`, or `name:`
 * / the query for series without one), the labels (one column each, or a `labels` JSON map) and
 * `value`. Range queries run in chunks of `chunk_points` evaluation times (the server allows
 * 11,000 per series), one request each, yielded as they arrive. With `labels: columns` the label
 * names must be known before the first row: `schema()` reads the chunks once for their names only
 * (a single chunk is kept and not asked again). Also `type: instant | series | metadata`.
 * Incremental reads start at the committed watermark minus `lookback`, aligned to `step`.
 */
export class PrometheusSource implements Source {
  private readonly client: PrometheusClient
  private readonly spec: PrometheusSourceSpec
  private readonly type: NonNullable<PrometheusSourceSpec['type']>
  private readonly incremental: Incremental | undefined
  private readonly batchSize: number | undefined
  private readonly nonFinite: NonFinitePolicy
  private readonly now = Date.now()
  private cached: { schema: TableSchema; layout: LabelLayout } | undefined
  /** Responses read by `schema()`, each handed to `read()` once (instant, series, one range chunk). */
  private readonly pending = new Map<string, unknown>()
  private sinceText: string | undefined
  private newest: number | undefined
  /** The queries to run (name, PromQL): one for `query:`, each of `queries:`. */
  private readonly queries: readonly (readonly [string, string])[]
  /** With `queries:`, the column naming each row's query. */
  private readonly queryColumn: string | undefined

  constructor(conn: ConnectionConfig, options: Readonly<Record<string, unknown>>) {
    this.client = new PrometheusClient(conn)
    const where = `source on ${conn.name}`
    if (options.prometheus === undefined)
      throw new SluiceError('E_SCHEMA_REQUIRED', `${where} needs a prometheus: block`, {
        hint: 'e.g. prometheus: { query: up, start: now-1h, step: 15s }',
      })
    const parsed = prometheusSourceSchema.safeParse(options.prometheus)
    if (!parsed.success)
      throw new SluiceError(
        'E_SCHEMA_VALUE',
        `${where}: ${parsed.error.issues.map((i) => `prometheus.${i.path.join('.')}: ${i.message}`).join('; ')}`,
      )
    this.spec = parsed.data
    this.type = this.spec.type ?? 'range'
    this.queries = this.spec.queries
      ? Object.entries(this.spec.queries)
      : this.spec.query !== undefined
        ? [[this.spec.name ?? this.spec.query, this.spec.query]]
        : []
    this.queryColumn = this.spec.queries ? (this.spec.query_column ?? 'query') : undefined
    this.nonFinite = this.spec.non_finite ?? 'null'
    this.incremental = options.incremental as Incremental | undefined
    this.batchSize = typeof options.batch_size === 'number' ? options.batch_size : undefined
    if (this.incremental !== undefined) {
      if (this.type !== 'range')
        throw new SluiceError('E_SCHEMA_VALUE', `${where}: incremental needs type: range`)
      if (this.incremental.column !== 'timestamp')
        throw new SluiceError(
          'E_SCHEMA_VALUE',
          `${where}: incremental column must be timestamp (got ${this.incremental.column})`,
          { hint: 'incremental: { column: timestamp, lookback: 5m }' },
        )
    }
    for (const key of ['start', 'end', 'time'] as const) {
      const v = this.spec[key]
      if (v !== undefined) this.time(v, key)
    }
  }

  private time(v: string | number, key: string): number {
    const ms = parsePromTime(v, this.now)
    if (ms === undefined)
      throw new SluiceError('E_SCHEMA_VALUE', `prometheus.${key}: "${v}" is not a time`, {
        hint: 'RFC 3339 (2026-01-02T03:04:05Z), unix seconds, now or now-1h',
      })
    return ms
  }

  private get timeoutParam(): [string, string][] {
    const t = this.spec.timeout
    return t === undefined ? [] : [['timeout', seconds(parseDuration(t)!)]]
  }

  /** The range read: evaluation times (ms) after applying the watermark. */
  private chunks(ctx: ReadContext): { chunks: Chunk[]; step: number } {
    const step = parseDuration(this.spec.step!)!
    if (!(step > 0)) throw new SluiceError('E_SCHEMA_VALUE', 'prometheus.step must be more than 0')
    const end = this.time(this.spec.end ?? 'now', 'end')
    const inc = this.incremental
    let start: number
    const since = inc ? ctx.since : undefined
    if (since !== undefined && since !== null) {
      const sinceMs =
        typeof since === 'string' || typeof since === 'number'
          ? parsePromTime(since, this.now)
          : undefined
      if (sinceMs === undefined)
        throw new SluiceError(
          'E_SCHEMA_VALUE',
          `the watermark ${JSON.stringify(since)} is not a time`,
        )
      this.sinceText = iso(sinceMs)
      const lookback = inc!.lookback === undefined ? 0 : (parseDuration(inc!.lookback) ?? 0)
      // the smallest multiple of step at or after since - lookback (strictly after since without one)
      start =
        lookback > 0
          ? Math.ceil((sinceMs - lookback) / step) * step
          : Math.floor(sinceMs / step) * step + step
    } else {
      const first = this.spec.start ?? inc?.initial
      if (first === undefined)
        throw new SluiceError('E_SCHEMA_REQUIRED', 'a prometheus range source needs start:', {
          hint: 'e.g. start: now-1h (or incremental.initial)',
        })
      start = this.time(first, 'start')
      // incremental reads evaluate at multiples of step, so every run uses the same times
      if (inc) start = Math.ceil(start / step) * step
    }
    const points = this.spec.chunk_points ?? DEFAULT_CHUNK_POINTS
    return { chunks: planChunks(start, end, step, points), step }
  }

  private rangeRequest(chunk: Chunk, step: number, ctx: ReadContext, q: string): Promise<unknown> {
    return this.client.call(
      'query_range',
      [
        ['query', q],
        ['start', seconds(chunk.start)],
        ['end', seconds(chunk.end)],
        ['step', seconds(step)],
        ...this.timeoutParam,
      ],
      ctx.signal,
      q,
    )
  }

  /** One request for the non-range types (`q`: the PromQL of an instant query). */
  private fetchOnce(ctx: ReadContext, q = ''): Promise<unknown> {
    const range = (): [string, string][] => [
      ...(this.spec.start === undefined
        ? []
        : [['start', seconds(this.time(this.spec.start, 'start'))] as [string, string]]),
      ...(this.spec.end === undefined
        ? []
        : [['end', seconds(this.time(this.spec.end, 'end'))] as [string, string]]),
    ]
    switch (this.type) {
      case 'instant': {
        const t = this.time(this.spec.time ?? 'now', 'time')
        return this.client.call(
          'query',
          [['query', q], ['time', seconds(t)], ...this.timeoutParam],
          ctx.signal,
          q,
        )
      }
      case 'series': {
        const match = this.spec.match!
        return this.client.call(
          'series',
          [...match.map((m): [string, string] => ['match[]', m]), ...range()],
          ctx.signal,
          match.join(', '),
        )
      }
      default:
        return this.client.call(
          'metadata',
          this.spec.metric === undefined ? [] : [['metric', this.spec.metric]],
          ctx.signal,
          this.spec.metric,
        )
    }
  }

  async schema(ctx: ReadContext): Promise<TableSchema> {
    if (this.cached) return this.cached.schema
    const declared = Array.isArray(this.spec.labels) ? this.spec.labels : undefined
    const mode = declared
      ? 'columns'
      : ((this.spec.labels as 'columns' | 'json' | undefined) ?? 'columns')
    let layout: LabelLayout
    let columns: Column[]
    if (this.type === 'metadata') {
      layout = labelLayout('json', [], [])
      columns = [
        metricColumn,
        ...['type', 'help', 'unit'].map((name) => ({
          name,
          type: { kind: 'string' } as const,
          nullable: true,
        })),
      ]
    } else if (this.type === 'series') {
      const data = await this.fetchOnce(ctx)
      this.pending.set('once', data)
      layout = labelLayout(mode, declared ?? labelNames(asList(data, 'series')), SERIES_FIXED)
      columns = [metricColumn, ...labelColumns(layout)]
    } else {
      const names = new Set<string>()
      if (declared) {
        for (const n of declared) names.add(n)
      } else if (mode === 'columns' && this.type === 'instant') {
        for (const [name, q] of this.queries) {
          const data = await this.fetchOnce(ctx, q)
          this.pending.set(name, data)
          for (const s of resultSeries(data, q)) for (const n of Object.keys(s.metric)) names.add(n)
        }
      } else if (mode === 'columns') {
        const { chunks, step } = this.chunks(ctx)
        const requests = chunks.length * this.queries.length
        if (requests > 1)
          ctx.log(
            `prometheus: reading ${requests} requests for the label names first (labels: json skips this pass)`,
          )
        for (const [name, q] of this.queries) {
          for (const chunk of chunks) {
            if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'read cancelled')
            const data = await this.rangeRequest(chunk, step, ctx, q)
            for (const s of resultSeries(data, q))
              for (const n of Object.keys(s.metric)) names.add(n)
            if (chunks.length === 1) this.pending.set(`${name}|${chunkKey(chunk)}`, data)
          }
        }
      }
      const fixed = this.queryColumn ? [...SAMPLE_FIXED, this.queryColumn] : SAMPLE_FIXED
      layout = labelLayout(mode, names, fixed)
      columns = [
        tsColumn,
        metricColumn,
        ...(this.queryColumn
          ? [{ name: this.queryColumn, type: { kind: 'string' }, nullable: false } as const]
          : []),
        ...labelColumns(layout),
        valueColumn,
      ]
    }
    this.cached = { schema: { columns }, layout }
    return this.cached.schema
  }

  private take(key: string): unknown {
    const data = this.pending.get(key)
    this.pending.delete(key)
    return data
  }

  async *read(ctx: ReadContext): AsyncIterable<RowBatch> {
    const schema = await this.schema(ctx)
    const { layout } = this.cached!
    const batchRows = this.batchSize ?? ctx.batchRows
    const width = schema.columns.length
    const index = new Map(schema.columns.map((c, i) => [c.name, i]))
    const unknown = new Set<string>()
    const put = (row: Value[], labels: Labels): void => {
      if (layout.mode === 'json') {
        const map: Record<string, string> = {}
        for (const k of Object.keys(labels).sort()) if (k !== '__name__') map[k] = labels[k]!
        row[index.get('labels')!] = JSON.stringify(map)
        return
      }
      for (const [k, v] of Object.entries(labels)) {
        if (k === '__name__') continue
        const col = layout.columns.get(k)
        if (col !== undefined) row[index.get(col)!] = v
        else if (!unknown.has(k)) {
          unknown.add(k)
          ctx.log(
            Array.isArray(this.spec.labels)
              ? `prometheus: label ${k} is not in labels: [${this.spec.labels.join(', ')}]; its values are left out`
              : `prometheus: label ${k} appeared after the schema was read; its values are left out (labels: json keeps every label)`,
          )
        }
      }
    }
    let rows: Value[][] = []
    const full = (): boolean => rows.length >= batchRows
    const flush = (): RowBatch => {
      const batch = { schema, rows }
      rows = []
      return batch
    }

    if (this.type === 'metadata') {
      const data = (await this.fetchOnce(ctx)) as Record<
        string,
        { type?: string; help?: string; unit?: string }[]
      >
      for (const metric of Object.keys(data ?? {}).sort()) {
        for (const m of data[metric] ?? []) {
          rows.push([metric, m.type ?? null, m.help ?? null, m.unit ?? null])
          if (full()) yield flush()
        }
      }
      if (rows.length > 0) yield flush()
      return
    }
    if (this.type === 'series') {
      const data = this.take('once') ?? (await this.fetchOnce(ctx))
      for (const labels of asList(data, 'series') as Labels[]) {
        const row = new Array<Value>(width).fill(null)
        row[0] = labels.__name__ ?? ''
        put(row, labels)
        rows.push(row)
        if (full()) yield flush()
      }
      if (rows.length > 0) yield flush()
      return
    }

    const valueIdx = width - 1
    const queryIdx = this.queryColumn === undefined ? -1 : 2
    const emit = function* (
      this: PrometheusSource,
      name: string,
      series: Series,
      samples: readonly Sample[],
    ) {
      for (const [t, v] of samples) {
        const value = parseSampleValue(v, this.nonFinite)
        if (value === DROP) continue
        const ms = Math.round(t * 1000)
        const row = new Array<Value>(width).fill(null)
        row[0] = iso(ms)
        row[1] = series.metric.__name__ ?? name
        if (queryIdx >= 0) row[queryIdx] = name
        put(row, series.metric)
        row[valueIdx] = value
        if (this.newest === undefined || ms > this.newest) this.newest = ms
        rows.push(row)
        if (full()) yield flush()
      }
    }.bind(this)

    if (this.type === 'instant') {
      for (const [name, q] of this.queries) {
        const data = this.take(name) ?? (await this.fetchOnce(ctx, q))
        for (const s of resultSeries(data, q)) yield* emit(name, s, s.value ? [s.value] : [])
      }
      if (rows.length > 0) yield flush()
      return
    }
    const { chunks, step } = this.chunks(ctx)
    const requests = chunks.length * this.queries.length
    if (requests > 1) ctx.log(`prometheus: range read in ${requests} requests`)
    for (const [name, q] of this.queries) {
      for (const chunk of chunks) {
        if (ctx.signal.aborted) throw new SluiceError('E_CANCELLED', 'read cancelled')
        const data =
          this.take(`${name}|${chunkKey(chunk)}`) ?? (await this.rangeRequest(chunk, step, ctx, q))
        for (const s of resultSeries(data, q)) yield* emit(name, s, s.values ?? [])
        if (rows.length > 0) yield flush()
      }
    }
  }

  /** The newest sample time read (RFC 3339), never before the committed watermark. */
  watermark(): string | undefined {
    if (this.newest === undefined) return this.sinceText
    const newest = iso(this.newest)
    return this.sinceText !== undefined && this.sinceText > newest ? this.sinceText : newest
  }

  close(): Promise<void> {
    this.pending.clear()
    return Promise.resolve()
  }
}

function chunkKey(c: Chunk): string {
  return `${c.start}-${c.end}`
}

function asList(data: unknown, what: string): unknown[] {
  if (!Array.isArray(data))
    throw new SluiceError('E_PROMETHEUS_QUERY', `prometheus ${what}: the answer is not a list`)
  return data
}

function labelNames(list: unknown[]): Set<string> {
  const names = new Set<string>()
  for (const l of list as Labels[]) for (const n of Object.keys(l)) names.add(n)
  return names
}

/** The series of a query answer: a matrix or vector as is, a scalar as one series without labels. */
function resultSeries(data: unknown, query: string): readonly Series[] {
  const d = data as { resultType?: string; result?: unknown }
  switch (d.resultType) {
    case 'matrix':
    case 'vector':
      return d.result as Series[]
    case 'scalar':
      return [{ metric: {}, value: d.result as Sample }]
    default:
      throw new SluiceError(
        'E_PROMETHEUS_QUERY',
        `prometheus query ${query} returned a ${d.resultType ?? 'unknown'} result, not numbers`,
        { hint: 'query an instant vector or a scalar' },
      )
  }
}
