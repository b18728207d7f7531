import { SluiceError } from '../../core/sluice-error.js'
import type { Column, ColumnType, TableSchema, Value } from '../../data/column-type.js'
import type { InfluxClient, InfluxqlResult, InfluxqlSeries } from './influxdb-client.js'
import { quoteInfluxIdent } from './ensure-influx-storage.js'
import { influxTimeToTimestamptz, rfc3339ToNanos } from './influxdb-time.js'

const FIELD_TYPES: Record<string, ColumnType['kind']> = {
  float: 'float64',
  integer: 'int64',
  unsigned: 'int64',
  string: 'string',
  boolean: 'boolean',
}

/** The JSON objects of a chunked /query response (one per line). */
async function* jsonLines(
  res: Response,
): AsyncGenerator<{ results?: InfluxqlResult[]; error?: string }> {
  if (!res.body) return
  const decoder = new TextDecoder()
  let buf = ''
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true })
    let nl: number
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim()
      buf = buf.slice(nl + 1)
      if (line !== '') yield JSON.parse(line) as { results?: InfluxqlResult[] }
    }
  }
  buf += decoder.decode()
  if (buf.trim() !== '') yield JSON.parse(buf) as { results?: InfluxqlResult[] }
}

function inferType(values: readonly (readonly unknown[])[] | undefined, i: number): ColumnType {
  for (const row of values ?? []) {
    const v = row[i]
    if (v === null || v === undefined) continue
    if (typeof v === 'boolean') return { kind: 'boolean' }
    if (typeof v === 'number') return { kind: 'float64' }
    return { kind: 'string' }
  }
  return { kind: 'string' }
}

function converter(t: ColumnType): (v: unknown) => Value {
  switch (t.kind) {
    case 'timestamptz':
      return (v) =>
        typeof v === 'string'
          ? (influxTimeToTimestamptz(v) ?? v)
          : typeof v === 'number'
            ? String(v)
            : null
    case 'int64':
      return (v) =>
        typeof v === 'number'
          ? BigInt(Math.trunc(v))
          : typeof v === 'string' && /^-?\d+$/.test(v)
            ? BigInt(v)
            : null
    case 'int32':
      return (v) => (typeof v === 'number' ? Math.trunc(v) : null)
    case 'float64':
      return (v) =>
        typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : null
    case 'boolean':
      return (v) =>
        typeof v === 'boolean' ? v : v === null || v === undefined ? null : v === 'true'
    default:
      return (v) =>
        v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v)
  }
}

/**
 * Runs one InfluxQL SELECT through `/query?chunked=true` (RFC 3339 times, so nanoseconds are not
 * rounded by JSON numbers) and turns its series into rows: `time` (timestamptz), then the
 * GROUP BY tags (strings), then the selected columns, typed from `SHOW FIELD KEYS` (float →
 * float64, integer → int64, string, boolean), declared `columns:`, or the values of the first
 * chunk. The schema comes from the first series: `schema()` reads the first chunk and keeps it.
 */
export class InfluxqlReader {
  private chunks: AsyncGenerator<{ results?: InfluxqlResult[]; error?: string }> | undefined
  private buffered: InfluxqlSeries[] = []
  private schemaValue: TableSchema | undefined
  private plan:
    { tagCols: string[]; columns: Column[]; convert: ((v: unknown) => Value)[] } | undefined
  /** Largest `time` seen, as InfluxDB wrote it (nanoseconds kept). */
  maxTime: string | undefined
  private maxTimeNs: bigint | undefined
  private warnedExtra = false

  constructor(
    private readonly client: InfluxClient,
    private readonly query: string,
    private readonly chunkSize: number,
    private readonly declared: Readonly<Record<string, ColumnType>>,
    private readonly log: (text: string) => void,
    private readonly signal: AbortSignal | undefined,
  ) {}

  private async open(): Promise<void> {
    const o = this.client.options
    const form = new URLSearchParams({
      q: this.query,
      db: o.database!,
      chunked: 'true',
      chunk_size: String(this.chunkSize),
    })
    if (this.client.retentionPolicy) form.set('rp', this.client.retentionPolicy)
    const res = await this.client.request({
      method: 'POST',
      path: '/query',
      body: form,
      ...(this.signal && { signal: this.signal }),
      what: 'InfluxQL query',
      refused: (status, error) =>
        new SluiceError(
          'E_INFLUX_QUERY',
          `InfluxQL on ${this.client.name} failed (HTTP ${status}): ${error}`,
        ),
    })
    this.chunks = jsonLines(res)
  }

  /** The next chunk's series; undefined at the end. */
  private async next(): Promise<InfluxqlSeries[] | undefined> {
    if (!this.chunks) await this.open()
    const r = await this.chunks!.next()
    if (r.done) return undefined
    const chunk = r.value
    const err = chunk.error ?? chunk.results?.find((x) => x.error)?.error
    if (err)
      throw new SluiceError(
        'E_INFLUX_QUERY',
        this.client.mask.mask(`InfluxQL on ${this.client.name} failed: ${err}`),
      )
    return chunk.results?.flatMap((x) => x.series ?? []) ?? []
  }

  async schema(): Promise<TableSchema> {
    if (this.schemaValue) return this.schemaValue
    let first: InfluxqlSeries | undefined
    for (;;) {
      const series = await this.next()
      if (series === undefined) break
      this.buffered.push(...series)
      first = series[0]
      if (first) break
    }
    this.schemaValue = await this.describe(first)
    return this.schemaValue
  }

  private async describe(first: InfluxqlSeries | undefined): Promise<TableSchema> {
    const fieldTypes = new Map<string, ColumnType['kind']>()
    if (first?.name) {
      const res = await this.client.influxql(
        `SHOW FIELD KEYS FROM ${quoteInfluxIdent(first.name)}`,
        {
          db: this.client.options.database!,
          ...(this.signal && { signal: this.signal }),
        },
      )
      for (const v of res[0]?.series?.[0]?.values ?? []) {
        const kind = FIELD_TYPES[String(v[1])]
        if (kind) fieldTypes.set(String(v[0]), kind)
      }
    }
    const tagCols = Object.keys(first?.tags ?? {})
    const columns: Column[] = []
    const typeOf = (name: string, fallback: () => ColumnType): ColumnType =>
      this.declared[name] ?? fallback()
    const cols = first?.columns ?? ['time']
    if (cols[0] === 'time')
      columns.push({
        name: 'time',
        type: typeOf('time', () => ({ kind: 'timestamptz' })),
        nullable: false,
      })
    for (const t of tagCols)
      columns.push({ name: t, type: typeOf(t, () => ({ kind: 'string' })), nullable: true })
    cols.forEach((name, i) => {
      if (i === 0 && name === 'time') return
      const kind = fieldTypes.get(name)
      columns.push({
        name,
        type: typeOf(name, () => (kind ? { kind } : inferType(first?.values, i)) as ColumnType),
        nullable: true,
      })
    })
    this.plan = { tagCols, columns, convert: columns.map((c) => converter(c.type)) }
    return { columns }
  }

  async *batches(batchRows: number): AsyncGenerator<Value[][]> {
    const schema = await this.schema()
    const plan = this.plan!
    const width = schema.columns.length
    const index = new Map(schema.columns.map((c, i) => [c.name, i]))
    let rows: Value[][] = []
    const take = (s: InfluxqlSeries): void => {
      const map = s.columns.map((name) => index.get(name) ?? -1)
      if (!this.warnedExtra && map.some((i) => i < 0)) {
        this.warnedExtra = true
        this.log(
          `influxdb: dropping columns not in the first series: ${s.columns.filter((_c, i) => map[i]! < 0).join(', ')}`,
        )
      }
      const tagValues = plan.tagCols.map((t) => s.tags?.[t] ?? null)
      const tagIdx = plan.tagCols.map((t) => index.get(t)!)
      const timeIdx = map.indexOf(index.get('time') ?? -2)
      for (const raw of s.values ?? []) {
        const row = new Array<Value>(width).fill(null)
        for (let i = 0; i < map.length; i++) {
          const j = map[i]!
          if (j >= 0) row[j] = plan.convert[j]!(raw[i])
        }
        for (let k = 0; k < tagIdx.length; k++) {
          const v = tagValues[k]
          row[tagIdx[k]!] = v === '' ? null : (v ?? null)
        }
        if (timeIdx >= 0) this.seeTime(raw[timeIdx])
        rows.push(row)
      }
    }
    for (const s of this.buffered) take(s)
    this.buffered = []
    for (;;) {
      while (rows.length >= batchRows) yield rows.splice(0, batchRows)
      const series = await this.next()
      if (series === undefined) break
      for (const s of series) take(s)
    }
    if (rows.length > 0) yield rows
    rows = []
  }

  private seeTime(v: unknown): void {
    if (typeof v !== 'string') return
    // times arrive in order within a series; compare only when the text differs
    if (v === this.maxTime) return
    const ns = rfc3339ToNanos(v)
    if (ns !== undefined && (this.maxTimeNs === undefined || ns > this.maxTimeNs)) {
      this.maxTimeNs = ns
      this.maxTime = v
    }
  }
}
