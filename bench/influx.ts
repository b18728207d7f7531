// Writes points into InfluxDB 1.x (npx tsx bench/influx.ts). Starts a throwaway influxd with
// test/helpers/influx-server.ts and loads the same points two ways, side by side:
//   1. sluice's influxdb destination, from RowBatches of 5 columns (2 tags, 2 float fields, time)
//   2. the reference: the same line-protocol bodies, pre-written to files, POSTed by curl
//      (`curl --data-binary @file`, one process per batch, sequentially)
// Both use batches of 5,000 points and a fresh database per run. BENCH_INFLUX_POINTS sets the
// size (default 1,000,000), BENCH_INFLUX_RUNS the runs per side (default 3, median printed).
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { InfluxdbDestination } from '../src/connectors/influxdb/influxdb-destination.js'
import { PointEncoder } from '../src/connectors/influxdb/point-encoder.js'
import type { TableSchema, Value } from '../src/data/column-type.js'
import type { RowBatch } from '../src/data/row-batch.js'
import { startInflux } from '../test/helpers/influx-server.js'

const POINTS = Number(process.env.BENCH_INFLUX_POINTS ?? 1_000_000)
const RUNS = Number(process.env.BENCH_INFLUX_RUNS ?? 3)
const BATCH = 5000
const ROWS_PER_ROWBATCH = 10_000

const schema: TableSchema = {
  columns: [
    { name: 'time', type: { kind: 'timestamptz' }, nullable: false },
    { name: 'host', type: { kind: 'string' }, nullable: false },
    { name: 'region', type: { kind: 'string' }, nullable: false },
    { name: 'usage', type: { kind: 'float64' }, nullable: true },
    { name: 'load', type: { kind: 'float64' }, nullable: true },
  ],
}
const mapping = { measurement: 'cpu', tags: ['host', 'region'], time: 'time' }

/** 1M rows in RowBatches of 10,000: 200 hosts × 5 regions, one point per ms from 2026-11-21. */
function generate(): RowBatch[] {
  const base = Date.parse('2026-11-21T00:00:00Z')
  const hosts = Array.from({ length: 200 }, (_x, i) => `host-${i}`)
  const regions = ['eu-west', 'eu-north', 'us-east', 'us-west', 'ap-south']
  const batches: RowBatch[] = []
  for (let start = 0; start < POINTS; start += ROWS_PER_ROWBATCH) {
    const rows: Value[][] = []
    for (let i = start; i < Math.min(POINTS, start + ROWS_PER_ROWBATCH); i++)
      rows.push([
        new Date(base + i).toISOString().replace('Z', '123Z'),
        hosts[i % 200]!,
        regions[i % 5]!,
        (i % 1000) / 10,
        Math.sin(i) * 4,
      ])
    batches.push({ schema, rows })
  }
  return batches
}

async function* iterate(batches: readonly RowBatch[]): AsyncIterable<RowBatch> {
  for (const b of batches) yield await Promise.resolve(b)
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}`)),
    )
  })
}

async function query(url: string, q: string, db = ''): Promise<unknown> {
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q, db }) })
  return res.json()
}

async function count(url: string, db: string): Promise<number> {
  const j = (await query(url, 'SELECT count(usage) FROM cpu', db)) as {
    results: { series?: { values: number[][] }[] }[]
  }
  return j.results[0]?.series?.[0]?.values[0]?.[1] ?? 0
}

const server = await startInflux()
const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-influx-'))
try {
  console.log(`InfluxDB ${(await run('/usr/bin/influxd', ['version'])).trim()} at ${server.url}`)
  let t = performance.now()
  const batches = generate()
  console.log(
    `generated ${POINTS.toLocaleString('en')} rows in ${Math.round(performance.now() - t)} ms`,
  )

  // the reference bodies: the same lines sluice sends, 5,000 per file
  t = performance.now()
  const enc = new PointEncoder(schema, mapping, () => {})
  const files: string[] = []
  let lines: string[] = []
  const flushFile = async (): Promise<void> => {
    const f = join(dir, `batch-${files.length}.lp`)
    await writeFile(f, lines.join('\n'))
    files.push(f)
    lines = []
  }
  for (const b of batches)
    for (const row of b.rows) {
      lines.push(enc.encode(row)!)
      if (lines.length === BATCH) await flushFile()
    }
  if (lines.length > 0) await flushFile()
  const encodeMs = performance.now() - t
  console.log(`encoded + wrote ${files.length} curl bodies in ${Math.round(encodeMs)} ms`)

  const sluiceMs: number[] = []
  const sluiceGzipMs: number[] = []
  const curlMs: number[] = []
  for (let r = 0; r < RUNS; r++) {
    // curl: one process per batch, sequentially
    const cdb = `bench_curl_${r}`
    await query(server.url, `CREATE DATABASE ${cdb}`)
    t = performance.now()
    for (const f of files) {
      const code = await run('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-XPOST',
        `${server.url}/write?db=${cdb}&precision=n`,
        '--data-binary',
        `@${f}`,
      ])
      if (code !== '204') throw new Error(`curl write answered ${code}`)
    }
    curlMs.push(performance.now() - t)
    if ((await count(server.url, cdb)) !== POINTS) throw new Error('curl: wrong point count')

    for (const [gzip, into] of [
      [false, sluiceMs],
      [true, sluiceGzipMs],
    ] as const) {
      const sdb = `bench_sluice_${gzip ? 'gz_' : ''}${r}`
      const dest = new InfluxdbDestination(
        { name: 'bench', url: server.url, options: { version: 1, database: sdb } },
        { influxdb: { ...mapping, batch_size: BATCH, gzip } },
      )
      t = performance.now()
      const res = await dest.write(
        { signal: new AbortController().signal, schema, mode: 'append', log: () => {} },
        iterate(batches),
      )
      into.push(performance.now() - t)
      if (res.rowsWritten !== POINTS || (await count(server.url, sdb)) !== POINTS)
        throw new Error('sluice: wrong point count')
    }
    for (const db of [cdb, `bench_sluice_${r}`, `bench_sluice_gz_${r}`])
      await query(server.url, `DROP DATABASE ${db}`)
    console.log(
      `run ${r + 1}: curl ${Math.round(curlMs[r]!)} ms, sluice ${Math.round(sluiceMs[r]!)} ms, sluice gzip ${Math.round(sluiceGzipMs[r]!)} ms`,
    )
  }
  const rate = (ms: number): string =>
    `${Math.round(POINTS / (ms / 1000)).toLocaleString('en')} points/s`
  const best = (xs: number[]): number => Math.min(...xs)
  const c = median(curlMs)
  console.log(
    `\n${POINTS.toLocaleString('en')} points, batches of ${BATCH}, ${RUNS} runs (median | best):`,
  )
  for (const [label, xs] of [
    ['curl --data-binary (sequential)', curlMs],
    ['sluice destination             ', sluiceMs],
    ['sluice destination, gzip       ', sluiceGzipMs],
  ] as const) {
    const m = median(xs)
    const b = best(xs)
    console.log(
      `  ${label} ${Math.round(m)} ms ${rate(m)} | ${Math.round(b)} ms ${rate(b)}  ratio to curl ${(m / c).toFixed(2)}× | ${(b / best(curlMs)).toFixed(2)}×`,
    )
  }
} finally {
  await server.stop()
  await rm(dir, { recursive: true, force: true })
}
