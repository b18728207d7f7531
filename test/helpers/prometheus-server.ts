import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// DESIGN.md §8: a real Prometheus (Debian's `prometheus` package); missing binary → tests FAIL.
export const PROMETHEUS_BIN = process.env.SLUICE_TEST_PROMETHEUS ?? '/usr/bin/prometheus'
export const PROMTOOL_BIN = process.env.SLUICE_TEST_PROMTOOL ?? '/usr/bin/promtool'

export interface ScrapeJob {
  readonly job: string
  /** `host:port` targets (scraped at /metrics). */
  readonly targets: readonly string[]
  readonly metricsPath?: string
}

export interface StartPrometheusOptions {
  /** The prometheus binary. Default PROMETHEUS_BIN ($SLUICE_TEST_PROMETHEUS or /usr/bin/prometheus). */
  readonly bin?: string
  /** Scrape (and rule evaluation) interval. Default `1s`. */
  readonly scrapeInterval?: string
  /** Scrape jobs besides `prometheus` (the server scraping itself). */
  readonly jobs?: readonly ScrapeJob[]
  /** Wait until `up{job="prometheus"}` has at least this many samples. Default 3. */
  readonly minUpSamples?: number
  /**
   * OpenMetrics text (ending in `# EOF`, timestamps in unix seconds) imported with
   * `promtool tsdb create-blocks-from openmetrics` before the server starts: hours of history
   * without waiting. Samples must be older than the server's start and within its 15d retention.
   */
  readonly history?: string
  /** Milliseconds to wait for readiness and the `up` samples. Default 30000. */
  readonly startTimeoutMs?: number
}

export interface PrometheusServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its temp dir. Idempotent. */
  stop(): Promise<void>
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

function scrapeConfig(interval: string, selfPort: number, jobs: readonly ScrapeJob[]): string {
  const job = (j: ScrapeJob): string =>
    [
      `  - job_name: ${JSON.stringify(j.job)}`,
      ...(j.metricsPath ? [`    metrics_path: ${JSON.stringify(j.metricsPath)}`] : []),
      '    static_configs:',
      `      - targets: [${j.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    ].join('\n')
  return [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    job({ job: 'prometheus', targets: [`127.0.0.1:${selfPort}`] }),
    ...jobs.map(job),
    '',
  ].join('\n')
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Starts `/usr/bin/prometheus` on a free 127.0.0.1 port with a temp config and TSDB. It scrapes
 * itself every second (job `prometheus`: `up`, `prometheus_http_requests_total`,
 * `prometheus_http_request_duration_seconds_bucket`, …) plus `jobs`. Resolves once `/-/ready`
 * answers and `up` has `minUpSamples` samples. Throws (never skips) when the binary is missing or
 * the server does not come up; the error carries the server's last log lines.
 */
export async function startPrometheus(
  opts: StartPrometheusOptions = {},
): Promise<PrometheusServer> {
  const bin = opts.bin ?? PROMETHEUS_BIN
  if (!existsSync(bin))
    throw new Error(
      `Prometheus is not installed at ${bin}; install it (apt-get install prometheus) or set SLUICE_TEST_PROMETHEUS`,
    )
  const dir = await mkdtemp(join(tmpdir(), 'sluice-prom-'))
  const data = join(dir, 'data')
  let child: ChildProcess | undefined
  let log = ''
  const stop = async (): Promise<void> => {
    const c = child
    child = undefined
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise<void>((r) => c.once('exit', () => r()))
      c.kill('SIGTERM')
      const killer = setTimeout(() => c.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(killer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    if (opts.history !== undefined) {
      const file = join(dir, 'history.om')
      await writeFile(file, opts.history.endsWith('\n') ? opts.history : `${opts.history}\n`)
      const r = spawnSync(
        PROMTOOL_BIN,
        ['tsdb', 'create-blocks-from', 'openmetrics', '-q', file, data],
        {
          encoding: 'utf8',
        },
      )
      if (r.status !== 0)
        throw new Error(`promtool could not import the history: ${r.error?.message ?? r.stderr}`)
    }
    const port = await freePort()
    const config = join(dir, 'prometheus.yml')
    await writeFile(config, scrapeConfig(opts.scrapeInterval ?? '1s', port, opts.jobs ?? []))
    const url = `http://127.0.0.1:${port}`
    const proc = spawn(
      bin,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    child = proc
    proc.stderr.on('data', (b: Buffer) => {
      log = (log + b.toString()).slice(-4000)
    })
    const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000)
    const min = opts.minUpSamples ?? 3
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}`)
      if (Date.now() > deadline) throw new Error(`prometheus did not get ready in time`)
      try {
        const ready = await fetch(`${url}/-/ready`)
        if (ready.ok) {
          const q = new URLSearchParams({ query: 'count_over_time(up{job="prometheus"}[1h])' })
          const r = (await (await fetch(`${url}/api/v1/query?${q}`)).json()) as {
            data?: { result?: { value: [number, string] }[] }
          }
          if (Number(r.data?.result?.[0]?.value[1] ?? 0) >= min) return { url, port, stop }
        }
      } catch {
        // not listening yet
      }
      await sleep(200)
    }
  } catch (e) {
    await stop()
    throw new Error(`${(e as Error).message}\n${log}`, { cause: e })
  }
}

/**
 * OpenMetrics text for `history`: one gauge `name` with the given series, a sample every
 * `stepSeconds` from `from` to `to` (unix seconds, both included), value `value(labels, t)`.
 */
export function openMetricsGauge(
  name: string,
  series: readonly Readonly<Record<string, string>>[],
  from: number,
  to: number,
  stepSeconds: number,
  value: (labels: Readonly<Record<string, string>>, t: number) => number,
): string {
  const lines = [`# HELP ${name} Test gauge ${name}.`, `# TYPE ${name} gauge`]
  for (const labels of series) {
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')
    for (let t = from; t <= to; t += stepSeconds) {
      const v = value(labels, t)
      const text = Number.isNaN(v)
        ? 'NaN'
        : v === Infinity
          ? '+Inf'
          : v === -Infinity
            ? '-Inf'
            : String(v)
      lines.push(`${name}${l ? `{${l}}` : ''} ${text} ${t}`)
    }
  }
  return `${lines.join('\n')}\n# EOF\n`
}
