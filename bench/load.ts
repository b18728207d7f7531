// Loads into PostgreSQL (npm run bench:load). Prints sluice's figures side by side with
// references measured in the same run:
//   1. a 1,000,000-row × 6-column CSV (~54 MB) into an UNLOGGED table: psql \copy (the
//      reference), sluice in-process (runPipeline) and as a whole `sluice run` process, and
//      pgloader if installed
//   2. a ~1 GB CSV (~19M rows) through a sql filter (where qty > 5) into PostgreSQL, with the peak
//      RSS of the `sluice run` process (target < 256 MB)
// Needs a PostgreSQL server (SLUICE_BENCH_PG_URL, default
// postgres://postgres@127.0.0.1:5432/postgres) and psql on the PATH. BENCH_LOAD_ROWS and
// BENCH_LOAD_BIG_ROWS set the sizes (0 skips a figure).
import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { compilePipeline } from '../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../src/definition/load-pipeline.js'
import { DataPlane } from '../src/engine/data-plane.js'
import { runPipeline } from '../src/engine/run-pipeline.js'
import { SqliteStateStore } from '../src/state/sqlite/sqlite-state-store.js'

const RUNS = 3
const ROWS = Number(process.env.BENCH_LOAD_ROWS ?? 1_000_000)
const BIG_ROWS = Number(process.env.BENCH_LOAD_BIG_ROWS ?? 19_000_000)
const ADMIN_URL = process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const DB = 'sluice_bench_load'
const here = import.meta.dirname
const bin = join(here, '..', 'bin', 'sluice.js')
const url = Object.assign(new URL(ADMIN_URL), { pathname: `/${DB}` }).toString()
/** DuckDB settings for figure 2's processes (memory_limit is per DuckDB instance). */
const BIG_ENV = { SLUICE_DUCKDB_MEMORY_LIMIT: '100MB', SLUICE_DUCKDB_THREADS: '1' }
const SHAPE =
  '(id bigint, name text, amount double precision, qty bigint, category text, ts timestamp(6))'

/** A deterministic CSV like the one of spec/libraries.md, written as a stream. */
async function generate(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 })
  const cats = ['alpha', 'beta', 'gamma', 'delta', 'epsilon']
  const base = Date.UTC(2024, 0, 1)
  let seed = 42
  const rand = (): number => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  out.write('id,name,amount,qty,category,ts\n')
  for (let start = 1; start <= rows; start += 10_000) {
    let chunk = ''
    for (let id = start; id < Math.min(rows + 1, start + 10_000); id++) {
      const ts = new Date(base + id * 1000 * (1 + (id % 7))).toISOString().slice(0, 19)
      chunk += `${id},name_${Math.floor(rand() * 100_000)},${(rand() * 100_000).toFixed(2)},${1 + Math.floor(rand() * 9)},${cats[id % 5]},${ts}\n`
    }
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())))
  return (await stat(path)).size
}

interface Proc {
  ms: number
  peakKb?: number
  out: string
}

const hasTime = existsSync('/usr/bin/time')

/** Runs a command to completion: wall time, and its peak RSS through /usr/bin/time when present. */
async function timeCommand(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Proc> {
  const argv = hasTime ? ['/usr/bin/time', ['-f', '__peak_kb=%M', cmd, ...args]] : [cmd, args]
  const t0 = performance.now()
  const child = spawn(argv[0] as string, argv[1] as string[], {
    env: { ...process.env, ...env },
  })
  let out = ''
  child.stdout.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr.on('data', (b: Buffer) => (out += b.toString()))
  const code = await new Promise<number | null>((r) => child.on('close', r))
  const ms = performance.now() - t0
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-2000)}`)
  const peak = /__peak_kb=(\d+)/.exec(out)?.[1]
  return { ms, out, ...(peak !== undefined && { peakKb: Number(peak) }) }
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>, target = ADMIN_URL): Promise<T> {
  const c = new pg.Client({ connectionString: target })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

const sql = (text: string) => withAdmin((c) => c.query(text), url)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const min = (xs: number[]) => Math.min(...xs)
const s = (ms: number) => (ms / 1000).toFixed(2).padStart(6)

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-load-'))
  const ws = join(dir, 'ws')
  const pgHost = new URL(ADMIN_URL)
  const psqlArgs = [
    '-h',
    pgHost.hostname,
    '-p',
    pgHost.port || '5432',
    '-U',
    decodeURIComponent(pgHost.username || 'postgres'),
    '-d',
    DB,
    '-v',
    'ON_ERROR_STOP=1',
  ]
  try {
    await withAdmin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
      await c.query(`CREATE DATABASE ${DB}`)
    })
    console.log(
      `sluice loads into PostgreSQL — node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
    )
    const server = await withAdmin((c) => c.query<{ v: string }>(`SELECT version() AS v`))
    console.log(`server: ${server.rows[0]?.v.split(' on ')[0]}; ${RUNS} runs each after a warm-up`)
    if (ROWS > 0) await small(dir, ws, psqlArgs)
    if (BIG_ROWS > 0) await big(dir, ws)
  } finally {
    await rm(dir, { recursive: true, force: true })
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)).catch(() => {})
  }
}

/** Figure 1: the 1M-row CSV into an UNLOGGED table, sluice next to psql \copy and pgloader. */
async function small(dir: string, ws: string, psqlArgs: string[]): Promise<void> {
  {
    const csv = join(dir, 'rows.csv')
    const t0 = performance.now()
    const bytes = await generate(csv, ROWS)
    console.log(
      `\n1. ${ROWS.toLocaleString('en')} rows × 6 columns, ${(bytes / 1e6).toFixed(1)} MB CSV (generated in ${s(performance.now() - t0).trim()} s), into an UNLOGGED table`,
    )
    for (const t of ['t_psql', 't_sluice', 't_cli', 't_pgloader']) {
      await sql(`CREATE UNLOGGED TABLE ${t} ${SHAPE}`)
    }

    // (a) psql \copy
    const psql = async (): Promise<number> => {
      await sql('TRUNCATE t_psql')
      const r = await timeCommand('psql', [
        ...psqlArgs,
        '-c',
        `\\copy t_psql from '${csv}' csv header`,
      ])
      return r.ms
    }
    // (b) sluice in-process: an extract from the file with a PostgreSQL destination
    const yaml = (table: string) => `name: bench_load
connections: { wh: "${url}" }
tasks:
  load:
    type: extract
    source: { path: ${csv} }
    destination: { connection: wh, table: ${table}, mode: append }
`
    const store = await SqliteStateStore.open({ path: join(dir, 'state.db') })
    let runNo = 0
    const inProcess = async (): Promise<number> => {
      await sql('TRUNCATE t_sluice')
      const runId = `load-${++runNo}`
      const start = performance.now()
      const plane = new DataPlane(ws)
      try {
        const compiled = compilePipeline(
          loadPipelineText(yaml('t_sluice'), { run: { runId }, displayName: join(dir, 'p.yaml') }),
        )
        const r = await runPipeline(compiled, { store, runId, dataPlane: plane })
        if (r.state !== 'SUCCESS') throw new Error(`run ${runId}: ${JSON.stringify(r.error ?? r)}`)
      } finally {
        await plane.close()
      }
      return performance.now() - start
    }
    // (b') the same as a whole `sluice run` process
    const cliFile = join(dir, 'load.yaml')
    await writeFile(cliFile, yaml('t_cli'))
    const cliPeaks: number[] = []
    const cli = async (): Promise<number> => {
      await sql('TRUNCATE t_cli')
      const r = await timeCommand('node', [bin, '--workspace', ws, 'run', cliFile])
      if (r.peakKb !== undefined) cliPeaks.push(r.peakKb)
      return r.ms
    }
    // (c) pgloader
    const pgloaderOk = spawnSync('pgloader', ['--version']).status === 0
    const pgloader = async (): Promise<number> => {
      await sql('TRUNCATE t_pgloader')
      const target = Object.assign(new URL(url), { protocol: 'pgsql:' })
      target.searchParams.set('tablename', 't_pgloader')
      const r = await timeCommand('pgloader', [
        '--type',
        'csv',
        '--field',
        'id,name,amount,qty,category,ts',
        '--with',
        'skip header = 1',
        '--with',
        "fields terminated by ','",
        '--with',
        `fields optionally enclosed by '"'`,
        csv,
        target.toString(),
      ])
      return r.ms
    }

    const cases: [string, () => Promise<number>][] = [
      ['(a) psql \\copy (reference)', psql],
      ['(b) sluice, in-process runPipeline', inProcess],
      ['(b) sluice run (whole process)', cli],
    ]
    if (pgloaderOk) cases.push(['(c) pgloader 3.6', pgloader])
    const times = new Map<string, number[]>(cases.map(([n]) => [n, []]))
    for (const [, fn] of cases) await fn() // warm-up: caches, DuckDB and pg modules in-process
    cliPeaks.length = 0
    for (let r = 0; r < RUNS; r++) for (const [name, fn] of cases) times.get(name)!.push(await fn())
    await store.close()
    const counts = await sql(
      `SELECT (SELECT count(*) FROM t_psql) a, (SELECT count(*) FROM t_sluice) b, (SELECT count(*) FROM t_cli) c, (SELECT count(*) FROM t_pgloader) d`,
    )
    const same = await sql(
      `SELECT count(*) AS n FROM (SELECT * FROM t_psql EXCEPT ALL SELECT * FROM t_sluice) d`,
    )
    const ref = median(times.get(cases[0]![0])!)
    console.log('\ncase                                     min (s)  median (s)  median ÷ psql')
    for (const [name] of cases) {
      const xs = times.get(name)!
      console.log(
        `${name.padEnd(40)} ${s(min(xs))}     ${s(median(xs))}      ${(median(xs) / ref).toFixed(2)}×`,
      )
    }
    if (!pgloaderOk) console.log('(c) pgloader: not installed (apt-get install -y pgloader)')
    if (cliPeaks.length > 0) {
      console.log(`peak RSS of the sluice run process: ${(median(cliPeaks) / 1024).toFixed(0)} MB`)
    }
    console.log(
      `rows: psql ${counts.rows[0]?.a}, in-process ${counts.rows[0]?.b}, sluice run ${counts.rows[0]?.c}, pgloader ${counts.rows[0]?.d}; rows of psql's table missing from sluice's: ${same.rows[0]?.n}`,
    )
    console.log('target: sluice in-process within 1.3× psql \\copy, and faster than pgloader')
    await rm(csv, { force: true })
  }
}

/**
 * Figure 2: ~1 GB through a sql filter into PostgreSQL as `sluice run` processes, with DuckDB at
 * memory_limit=100MB and 1 thread: (i) extract → sql → load, (ii) a sql task reading the file → load.
 */
async function big(dir: string, ws: string): Promise<void> {
  const csv = join(dir, 'big.csv')
  const t0 = performance.now()
  const bytes = await generate(csv, BIG_ROWS)
  console.log(
    `\n2. ${BIG_ROWS.toLocaleString('en')} rows, ${(bytes / 1e9).toFixed(2)} GB CSV (generated in ${s(performance.now() - t0).trim()} s), where qty > 5, into PostgreSQL; ${Object.entries(
      BIG_ENV,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  )
  const variants: [string, string][] = [
    [
      'extract → sql → load',
      `  ext: { type: extract, source: { path: ${csv} } }
  flt: { type: sql, depends_on: [ext], sql: "select * from ext where qty > 5" }`,
    ],
    [
      'sql (read_csv) → load',
      `  flt: { type: sql, sql: "select * from read_csv('${csv}', buffer_size = 8388608) where qty > 5" }`,
    ],
  ]
  // the reference: psql \copy of the whole file (no filter) into the same kind of table
  await sql(`CREATE UNLOGGED TABLE t_big_psql ${SHAPE}`)
  const host = new URL(ADMIN_URL)
  const ref = await timeCommand('psql', [
    '-h',
    host.hostname,
    '-U',
    decodeURIComponent(host.username || 'postgres'),
    '-d',
    DB,
    '-c',
    `\\copy t_big_psql from '${csv}' csv header`,
  ])
  await sql('DROP TABLE t_big_psql')
  console.log(`reference: psql \\copy of the whole file (no filter): ${s(ref.ms).trim()} s`)
  for (const [name, tasks] of variants) {
    const file = join(dir, 'big.yaml')
    await writeFile(
      file,
      `name: bench_big
connections: { wh: "${url}" }
tasks:
${tasks}
  load:
    type: load
    depends_on: [flt]
    destination: { connection: wh, table: t_big, mode: append }
`,
    )
    await sql(`DROP TABLE IF EXISTS t_big; CREATE UNLOGGED TABLE t_big ${SHAPE}`)
    const r = await timeCommand('node', [bin, '--workspace', ws, 'run', file], BIG_ENV)
    const n = await sql(`SELECT count(*) AS n FROM t_big`)
    const peak =
      r.peakKb !== undefined ? `${(r.peakKb / 1024).toFixed(0)} MB` : 'n/a (no /usr/bin/time)'
    console.log(
      `sluice run, ${name.padEnd(22)} ${s(r.ms).trim()} s, ${Number(n.rows[0]?.n).toLocaleString('en')} rows loaded, peak RSS ${peak} (target < 256 MB)`,
    )
    await rm(join(ws, 'datasets'), { recursive: true, force: true })
  }
  await rm(csv, { force: true })
}

await main()
