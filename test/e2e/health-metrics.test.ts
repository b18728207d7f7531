import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startInflux, type InfluxServer } from '../helpers/influx-server.js'
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus-server.js'
import { sluiceCli } from '../helpers/sluice-cli.js'

// examples/health-metrics against a real Prometheus 2.x (scraping itself every second) and a
// real InfluxDB 1.x, both started on free loopback ports for this file.
const PIPELINE = 'examples/health-metrics/pipeline.yaml'
const STEP_S = 5
const QUERIES: Record<string, string> = {
  availability: 'up',
  request_rate: 'sum by (job, instance) (rate(prometheus_http_requests_total[1m]))',
  p95_latency:
    'histogram_quantile(0.95, sum by (job, instance, le) (rate(prometheus_http_request_duration_seconds_bucket[1m])))',
  error_rate:
    '(sum by (job, instance) (rate(prometheus_http_requests_total{code=~"5.."}[1m])) or sum by (job, instance) (rate(prometheus_http_requests_total[1m])) * 0) / sum by (job, instance) (rate(prometheus_http_requests_total[1m]))',
}

let prom: PrometheusServer
let influx: InfluxServer
let ws: string

beforeAll(async () => {
  ;[prom, influx] = await Promise.all([startPrometheus({ scrapeInterval: '1s' }), startInflux()])
  ws = await mkdtemp(join(tmpdir(), 'sluice-health-'))
}, 60_000)
afterAll(async () => {
  await Promise.all([prom?.stop(), influx?.stop()])
  await rm(ws, { recursive: true, force: true })
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** A time on the step grid, a few seconds in the past (samples there are final). */
const gridTime = () => Math.floor((Date.now() / 1000 - 3) / STEP_S) * STEP_S

async function run(end: number, extra: string[] = []) {
  return sluiceCli(
    [
      'run',
      PIPELINE,
      '-p',
      `prometheus_url=${prom.url}`,
      '-p',
      `influx_url=${influx.url}`,
      '-p',
      `step=${STEP_S}s`,
      '-p',
      `lookback=${STEP_S}s`,
      '-p',
      `end=${end}`,
      ...extra,
    ],
    { workspace: ws },
  )
}

/** The scrape task's row count and watermark in the latest run. */
async function lastScrape(): Promise<{ rows: number; watermark: unknown }> {
  const runs = JSON.parse((await sluiceCli(['runs', '--json'], { workspace: ws })).out) as {
    id: string
  }[]
  const show = JSON.parse(
    (await sluiceCli(['show', runs[0]!.id, '--json'], { workspace: ws })).out,
  ) as {
    tasks: { taskId: string; attempts: { outputs: { rows: number; watermark?: unknown } }[] }[]
  }
  const out = show.tasks.find((t) => t.taskId === 'scrape')!.attempts.at(-1)!.outputs
  return { rows: out.rows, watermark: out.watermark }
}

type Point = { time: number; value: number | null }

/** The health_metrics points of one metric_type, by series (service|instance), from InfluxDB. */
async function influxPoints(metricType: string): Promise<Map<string, Point[]>> {
  const q = `SELECT "value" FROM health_metrics WHERE metric_type = '${metricType}' GROUP BY service, instance`
  const res = await fetch(`${influx.url}/query?db=health&epoch=s&q=${encodeURIComponent(q)}`)
  const body = (await res.json()) as {
    results: { series?: { tags: Record<string, string>; values: [number, number | null][] }[] }[]
  }
  const out = new Map<string, Point[]>()
  for (const s of body.results[0]?.series ?? [])
    out.set(
      `${s.tags.service}|${s.tags.instance}`,
      s.values.map(([time, value]) => ({ time, value })),
    )
  return out
}

/** What the Prometheus API itself answers for a query over [start, end] at the step. */
async function promPoints(
  query: string,
  start: number,
  end: number,
): Promise<Map<string, Point[]>> {
  const url = `${prom.url}/api/v1/query_range?query=${encodeURIComponent(query)}&start=${start}&end=${end}&step=${STEP_S}`
  const body = (await (await fetch(url)).json()) as {
    data: { result: { metric: Record<string, string>; values: [number, string][] }[] }
  }
  const out = new Map<string, Point[]>()
  for (const s of body.data.result)
    out.set(
      `${s.metric.job}|${s.metric.instance}`,
      s.values
        .map(([time, v]) => ({ time, value: Number(v) }))
        .filter((p) => Number.isFinite(p.value)),
    )
  return out
}

async function expectSameAsPrometheus(start: number, end: number): Promise<number> {
  let total = 0
  for (const [metricType, query] of Object.entries(QUERIES)) {
    const stored = await influxPoints(metricType)
    const expected = await promPoints(query, start, end)
    expect([...stored.keys()].sort(), metricType).toEqual([...expected.keys()].sort())
    for (const [series, points] of expected) {
      const got = stored.get(series)!
      expect(
        got.map((p) => p.time),
        `${metricType} ${series}`,
      ).toEqual(points.map((p) => p.time))
      got.forEach((p, i) => expect(p.value ?? Number.NaN).toBeCloseTo(points[i]!.value!, 9))
      total += got.length
    }
  }
  return total
}

describe('examples/health-metrics: Prometheus → clean → InfluxDB', () => {
  it('runs twice: InfluxDB holds what the Prometheus API returns for the window, and the second run adds only the new points', async () => {
    await sleep(25_000) // some history to read, with 1m rates defined
    const end1 = gridTime()
    const first = await run(end1)
    expect(first.code, first.out + first.err).toBe(0)
    // the first run starts at the run's data interval start, before Prometheus had data: the
    // stored window is every sample from the first one on
    const stored1 = await influxPoints('availability')
    const start1 = Math.min(...[...stored1.values()].flatMap((p) => p.map((x) => x.time)))
    const total1 = await expectSameAsPrometheus(start1, end1)
    expect(total1).toBeGreaterThan(4)

    const scrape1 = await lastScrape()
    expect(scrape1.rows).toBe(total1)
    expect(scrape1.watermark).toBe(new Date(end1 * 1000).toISOString())

    await sleep(2 * STEP_S * 1000)
    const end2 = gridTime()
    expect(end2).toBeGreaterThan(end1)
    const second = await run(end2)
    expect(second.code, second.out + second.err).toBe(0)
    const total2 = await expectSameAsPrometheus(start1, end2)
    // every new grid time of each of the 4 series, and nothing else
    const newTimes = (end2 - end1) / STEP_S
    expect(total2 - total1).toBe(4 * newTimes)
    // incremental: the second run read from the watermark minus the lookback, not from the start
    let inWindow = 0
    for (const query of Object.values(QUERIES))
      for (const points of (await promPoints(query, end1 - STEP_S, end2)).values())
        inWindow += points.length
    const scrape2 = await lastScrape()
    expect(scrape2.rows).toBe(inWindow)
    expect(scrape2.rows).toBeLessThan(total2)
    expect(scrape2.watermark).toBe(new Date(end2 * 1000).toISOString())

    // a backfill over the last minutes (some intervals before Prometheus had data) reads each
    // interval and leaves the regular runs' watermark where it was
    const watermark = async () =>
      (await (
        await fetch(
          `${influx.url}/query?db=health&q=${encodeURIComponent('SELECT * FROM "_sluice_state"')}`,
        )
      ).json()) as unknown
    const before = await watermark()
    expect(JSON.stringify(before)).toContain('scrape')
    const to = Math.floor(Date.now() / 60_000) * 60
    const backfill = await sluiceCli(
      [
        'backfill',
        PIPELINE,
        '--from',
        new Date((to - 180) * 1000).toISOString(),
        '--to',
        new Date(to * 1000).toISOString(),
        '--every',
        '1m',
        '-p',
        `prometheus_url=${prom.url}`,
        '-p',
        `influx_url=${influx.url}`,
        '-p',
        `step=${STEP_S}s`,
      ],
      { workspace: ws },
    )
    expect(backfill.code, backfill.out + backfill.err).toBe(0)
    expect(backfill.out).toContain('3/3 succeeded')
    expect(await watermark()).toEqual(before)

    // rolling features and the outlier flag are fields of the same points
    const q = `SELECT * FROM health_metrics WHERE metric_type = 'request_rate' LIMIT 1`
    const row = (await (
      await fetch(`${influx.url}/query?db=health&q=${encodeURIComponent(q)}`)
    ).json()) as { results: { series: { columns: string[] }[] }[] }
    expect(row.results[0]!.series[0]!.columns).toEqual(
      expect.arrayContaining(['value_mean_5m', 'value_std_15m', 'value_outlier', 'service']),
    )
    // the retention policy from the connection exists and is the default
    const rps = (await (
      await fetch(
        `${influx.url}/query?db=health&q=${encodeURIComponent('SHOW RETENTION POLICIES')}`,
      )
    ).json()) as { results: { series: { values: unknown[][] }[] }[] }
    expect(rps.results[0]!.series[0]!.values).toContainEqual([
      'health_30d',
      '720h0m0s',
      '24h0m0s',
      1,
      true,
    ])
  }, 120_000)
})
