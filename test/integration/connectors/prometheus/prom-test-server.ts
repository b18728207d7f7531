import { afterAll, beforeAll, expect } from 'vitest'
import { SluiceError } from '../../../../src/core/sluice-error.js'
import { prometheusConnector } from '../../../../src/connectors/prometheus/prometheus-connector.js'
import type { TableSchema, Value } from '../../../../src/data/column-type.js'
import type { ReadContext } from '../../../../src/data/connector-contract.js'
import {
  openMetricsGauge,
  startPrometheus,
  type PrometheusServer,
} from '../../../helpers/prometheus-server.js'

/** History preloaded with promtool: 3 hours, one sample a minute, ending 2 minutes before start. */
export const HISTORY_STEP = 60
export const HISTORY_TO = Math.floor(Date.now() / 1000 / 60) * 60 - 120
export const HISTORY_FROM = HISTORY_TO - 3 * 3600

export const gaugeValue = (labels: Readonly<Record<string, string>>, t: number): number =>
  (t - HISTORY_FROM) / 60 + (labels.host === 'b' ? 1000 : 0)

/** The series of the non-finite gauge: a value per minute cycling 1, NaN, +Inf, -Inf. */
const cycle = [1, Number.NaN, Infinity, -Infinity]
export const nonFiniteValue = (_: unknown, t: number): number =>
  cycle[((t - HISTORY_FROM) / 60) % 4]!

export function history(): string {
  const gauge = openMetricsGauge(
    'sluice_test_gauge',
    [{ host: 'a' }, { host: 'b', zone: 'z1' }],
    HISTORY_FROM,
    HISTORY_TO,
    HISTORY_STEP,
    gaugeValue,
  ).replace(/# EOF\n$/, '')
  const odd = openMetricsGauge(
    'sluice_test_odd',
    [{ kind: 'cycle' }],
    HISTORY_FROM,
    HISTORY_TO,
    HISTORY_STEP,
    nonFiniteValue,
  )
  return gauge + odd
}

/** One real Prometheus for a test file (with the history above), stopped afterwards. */
export function usePrometheus(): { server: () => PrometheusServer } {
  let server: PrometheusServer | undefined
  beforeAll(async () => {
    server = await startPrometheus({ history: history() })
  })
  afterAll(async () => {
    await server?.stop()
  })
  return { server: () => server! }
}

export interface ReadResult {
  schema: TableSchema
  rows: Value[][]
  batches: number
  watermark: unknown
  logs: string[]
}

/** Reads a prometheus source to the end (schema first, as the engine does). */
export async function readSource(
  url: string,
  source: Record<string, unknown>,
  opts: { since?: unknown; batchRows?: number; connection?: Record<string, unknown> } = {},
): Promise<ReadResult> {
  const src = prometheusConnector.createSource(
    { name: 'prom', url, options: opts.connection ?? {} },
    source,
  )
  const logs: string[] = []
  const ctx: ReadContext = {
    signal: new AbortController().signal,
    batchRows: opts.batchRows ?? 10_000,
    ...(opts.since !== undefined && { since: opts.since }),
    log: (t) => logs.push(t),
  }
  try {
    const schema = await src.schema(ctx)
    const rows: Value[][] = []
    let batches = 0
    for await (const b of src.read(ctx)) {
      batches++
      expect(b.schema).toBe(schema)
      rows.push(...(b.rows as Value[][]))
    }
    return { schema, rows, batches, watermark: src.watermark(), logs }
  } finally {
    await src.close()
  }
}

/** The raw answer of the server, to compare with. */
export async function rawApi(
  url: string,
  endpoint: string,
  params: Record<string, string>,
): Promise<{ status: string; data: unknown; errorType?: string; error?: string }> {
  const res = await fetch(`${url}/api/v1/${endpoint}?${new URLSearchParams(params)}`)
  return (await res.json()) as { status: string; data: unknown }
}

/** Reads a source that must fail; returns its error. */
export async function readError(
  url: string,
  source: Record<string, unknown>,
  opts: Parameters<typeof readSource>[2] = {},
): Promise<SluiceError> {
  const outcome = await readSource(url, source, opts).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(outcome).toBeInstanceOf(SluiceError)
  return outcome as SluiceError
}
