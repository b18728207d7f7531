import type { TableSchema, Value } from '../../data/column-type.js'
import { FluxCsvParser, type FluxRow, type FluxTable } from './flux-csv-parser.js'
import type { InfluxClient } from './influxdb-client.js'
import { rfc3339ToNanos } from './influxdb-time.js'

/**
 * Runs a Flux script (v2 /api/v2/query) and turns its annotated-CSV tables into rows. The schema
 * is the first table's columns (without `result` and `table`); later tables are matched by column
 * name (missing columns are NULL, extra ones dropped with a log line).
 */
export class FluxReader {
  private parser = new FluxCsvParser()
  private body: AsyncIterator<Uint8Array> | undefined
  private buffered: FluxRow[] = []
  private ended = false
  private schemaValue: TableSchema | undefined
  private readonly decoder = new TextDecoder()
  /** Largest value of `watchColumn` seen (RFC 3339 text). */
  maxTime: string | undefined
  private maxTimeNs: bigint | undefined
  private warnedExtra = false

  constructor(
    private readonly client: InfluxClient,
    private readonly query: string,
    private readonly watchColumn: string | undefined,
    private readonly log: (text: string) => void,
    private readonly signal: AbortSignal | undefined,
  ) {}

  private async more(): Promise<boolean> {
    if (this.ended) return false
    if (!this.body) {
      const res = await this.client.flux(this.query, this.signal)
      const stream = res.body as unknown as AsyncIterable<Uint8Array> | null
      this.body = stream ? stream[Symbol.asyncIterator]() : undefined
      if (!this.body) {
        this.ended = true
        return false
      }
    }
    const r = await this.body.next()
    if (r.done) {
      this.buffered.push(...this.parser.push(this.decoder.decode()), ...this.parser.end())
      this.ended = true
      return true
    }
    this.buffered.push(...this.parser.push(this.decoder.decode(r.value, { stream: true })))
    return true
  }

  async schema(): Promise<TableSchema> {
    if (this.schemaValue) return this.schemaValue
    while (this.buffered.length === 0 && (await this.more()));
    const first: FluxTable | undefined = this.buffered[0]?.table
    this.schemaValue = { columns: first ? first.columns : [] }
    return this.schemaValue
  }

  async *batches(batchRows: number): AsyncGenerator<Value[][]> {
    const schema = await this.schema()
    const index = new Map(schema.columns.map((c, i) => [c.name, i]))
    const watch = this.watchColumn === undefined ? -1 : (index.get(this.watchColumn) ?? -1)
    let lastTable: FluxTable | undefined
    let map: number[] = []
    let rows: Value[][] = []
    for (;;) {
      for (const r of this.buffered) {
        if (r.table !== lastTable) {
          lastTable = r.table
          map = r.table.columns.map((c) => index.get(c.name) ?? -1)
          if (!this.warnedExtra && map.some((i) => i < 0)) {
            this.warnedExtra = true
            this.log(
              `influxdb: dropping Flux columns not in the first table: ${r.table.columns
                .filter((_c, i) => map[i]! < 0)
                .map((c) => c.name)
                .join(', ')}`,
            )
          }
        }
        const row = new Array<Value>(schema.columns.length).fill(null)
        for (let i = 0; i < map.length; i++) if (map[i]! >= 0) row[map[i]!] = r.values[i] ?? null
        if (watch >= 0) this.see(row[watch] ?? null)
        rows.push(row)
        if (rows.length >= batchRows) {
          yield rows
          rows = []
        }
      }
      this.buffered = []
      if (!(await this.more())) break
    }
    if (rows.length > 0) yield rows
  }

  private see(v: Value): void {
    if (typeof v !== 'string' || v === this.maxTime) return
    const ns = rfc3339ToNanos(v)
    if (ns !== undefined && (this.maxTimeNs === undefined || ns > this.maxTimeNs)) {
      this.maxTimeNs = ns
      this.maxTime = v
    }
  }
}
