// Scheduler load (npm run bench:scheduler). 500 pipelines, each `schedule: "* * * * *"` with one
// `noop` task, on one `sluice serve` child process for BENCH_SCHED_MINUTES minutes (default 3:
// 500 runs due at every minute boundary). Prints, side by side with a reference of ONE pipeline
// alone on its own `serve` (the lag floor: tick interval, run creation, process noise):
//   - schedule lag per run: run created_at − scheduled_for and started_at − scheduled_for
//     (p50/p95/p99/max; target p99 < 1 s)
//   - runs expected vs started: missed fires, duplicated fires (same pipeline and due instant)
//   - the child's RSS (VmRSS from /proc/<pid>/status every second: peak and mean) and CPU
//   - the CPU the child spends on each boundary's burst (utime+stime from /proc/<pid>/stat every
//     250 ms, from the boundary to its last run start + 0.5 s, minus the idle rate of the 20 s
//     before): what the lag would be on an otherwise idle core, less sensitive to a busy machine
// Only fires due after the server said "listening" are measured: a never-fired pipeline fires the
// minute just passed at start-up (within the 60 s tolerance), and those start-up fires are
// counted apart. After the last measured boundary the script waits until its runs exist (at most
// 60 s), then stops the child with SIGTERM and reads <workspace>/state.db read-only.
// BENCH_SCHED_PIPELINES (500), BENCH_SCHED_REF_MINUTES (2), BENCH_SCHED_TICK (serve's --tick,
// default 1000 ms); BENCH_SCHED_CPU_PROF=<dir> writes a --cpu-prof profile of the big child.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'

const PIPELINES = Number(process.env.BENCH_SCHED_PIPELINES ?? 500)
const MINUTES = Number(process.env.BENCH_SCHED_MINUTES ?? 3)
const REF_MINUTES = Number(process.env.BENCH_SCHED_REF_MINUTES ?? 2)
const TICK = process.env.BENCH_SCHED_TICK
const CPU_PROF = process.env.BENCH_SCHED_CPU_PROF
const bin = join(import.meta.dirname, '..', 'bin', 'sluice.js')
const MINUTE = 60_000
const CLK_TCK = 100

interface Lags {
  p50: number
  p95: number
  p99: number
  max: number
}

interface CaseResult {
  pipelines: number
  minutes: number
  expected: number
  runs: number
  missed: number
  duplicated: number
  startupFires: number
  outcomes: Record<string, number>
  states: Record<string, number>
  created: Lags
  started: Lags
  /** p99 of started − due, per measured boundary (the spread shows the noise). */
  perMinuteP99: number[]
  /** CPU ms of the child for each boundary's burst, above its idle rate. */
  burstCpuMs: number[]
  rssPeakMb: number
  rssMeanMb: number
  rssIdleMb: number
  cpuPercent: number
  load: string
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Nearest-rank percentile of sorted values. */
function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

function lagsOf(values: number[]): Lags {
  const s = [...values].sort((a, b) => a - b)
  return { p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s[s.length - 1] ?? NaN }
}

function rssKb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK
  } catch {
    return undefined
  }
}

const pipelineYaml = (name: string) => `name: ${name}
schedule: "* * * * *"
tasks:
  t: { type: noop }
`

/** One measured `serve` in a temp folder, deleted afterwards (also when the case fails). */
async function runCase(count: number, minutes: number, profile?: string): Promise<CaseResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-sched-'))
  try {
    return await measure(dir, count, minutes, profile)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function measure(
  dir: string,
  count: number,
  minutes: number,
  profile?: string,
): Promise<CaseResult> {
  const pipes = join(dir, 'pipes')
  const ws = join(dir, 'ws')
  await mkdir(pipes)
  const names = Array.from({ length: count }, (_, i) => `p${String(i).padStart(4, '0')}`)
  await Promise.all(names.map((n) => writeFile(join(pipes, `${n}.yaml`), pipelineYaml(n))))

  const args = [
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
    bin,
    'serve',
    '--dir',
    pipes,
    '--port',
    '0',
    '--workspace',
    ws,
  ]
  if (TICK) args.push('--tick', TICK)
  const child = spawn(process.execPath, args, { cwd: dir, stdio: 'pipe' })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  const pid = child.pid!

  const t0 = Date.now()
  while (!/listening on http/.test(out)) {
    if (Date.now() - t0 > 120_000 || child.exitCode !== null) {
      child.kill('SIGKILL')
      throw new Error(`serve did not start:\n${out}\n${err}`)
    }
    await sleep(50)
  }
  const readyAt = Date.now()
  const rssIdle = rssKb(pid) ?? 0
  const first = Math.ceil(readyAt / MINUTE) * MINUTE
  const last = first + (minutes - 1) * MINUTE

  const samples: number[] = []
  const cpu0 = cpuMs(pid) ?? 0
  const sampler = setInterval(() => {
    const kb = rssKb(pid)
    if (kb !== undefined) samples.push(kb)
  }, 1000)
  const cpuSamples: [number, number][] = []
  const cpuSampler = setInterval(() => {
    const c = cpuMs(pid)
    if (c !== undefined) cpuSamples.push([Date.now(), c])
  }, 250)
  const loads: number[][] = []
  const loadSampler = setInterval(() => loads.push(loadavg()), 10_000)

  process.stdout.write(
    `  ${count} pipeline(s): ready ${new Date(readyAt).toISOString().slice(11, 19)}, measuring fires ${new Date(first).toISOString().slice(11, 16)}–${new Date(last).toISOString().slice(11, 16)} UTC\n`,
  )
  await sleep(Math.max(0, last - Date.now()))
  // wait until the last boundary's runs exist (or 60 s), then 2 s more for their start
  const db = new Database(join(ws, 'state.db'), { readonly: true, fileMustExist: true })
  const lastIso = new Date(last).toISOString()
  const countLast = db.prepare(
    "SELECT COUNT(*) AS n FROM runs WHERE trigger_type = 'schedule' AND scheduled_for = ? AND started_at IS NOT NULL",
  )
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline && (countLast.get(lastIso) as { n: number }).n < count)
    await sleep(500)
  await sleep(2000)
  const cpu1 = cpuMs(pid) ?? cpu0
  const wall = Date.now() - readyAt
  clearInterval(sampler)
  clearInterval(cpuSampler)
  clearInterval(loadSampler)
  child.kill('SIGTERM')
  const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)])
  if (code === 'timeout') {
    child.kill('SIGKILL')
    throw new Error(`serve did not stop within 30 s of SIGTERM:\n${err.slice(-2000)}`)
  }

  const firstIso = new Date(first).toISOString()
  const rows = db
    .prepare(
      `SELECT pipeline, scheduled_for, created_at, started_at, state FROM runs
       WHERE trigger_type = 'schedule' AND scheduled_for >= ? AND scheduled_for <= ?`,
    )
    .all(firstIso, lastIso) as {
    pipeline: string
    scheduled_for: string
    created_at: string
    started_at: string | null
    state: string
  }[]
  const startupFires = (
    db
      .prepare("SELECT COUNT(*) AS n FROM schedule_fires WHERE due_at < ? AND outcome = 'started'")
      .get(new Date(readyAt).toISOString()) as { n: number }
  ).n
  const outcomes: Record<string, number> = {}
  for (const r of db
    .prepare(
      'SELECT outcome, COUNT(*) AS n FROM schedule_fires WHERE due_at >= ? AND due_at <= ? GROUP BY outcome',
    )
    .all(firstIso, lastIso) as { outcome: string; n: number }[])
    outcomes[r.outcome] = r.n
  db.close()

  const seen = new Map<string, number>()
  const states: Record<string, number> = {}
  const created: number[] = []
  const started: number[] = []
  const byMinute = new Map<string, number[]>()
  for (const r of rows) {
    const key = `${r.pipeline}@${r.scheduled_for}`
    seen.set(key, (seen.get(key) ?? 0) + 1)
    states[r.state] = (states[r.state] ?? 0) + 1
    const due = Date.parse(r.scheduled_for)
    created.push(Date.parse(r.created_at) - due)
    if (r.started_at) {
      started.push(Date.parse(r.started_at) - due)
      byMinute.set(r.scheduled_for, [
        ...(byMinute.get(r.scheduled_for) ?? []),
        Date.parse(r.started_at) - due,
      ])
    }
  }
  const expected = count * minutes
  const duplicated = [...seen.values()].reduce((a, n) => a + (n - 1), 0)
  const missed = expected - seen.size
  const mean = samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length)
  const maxLoad = loads.reduce((m, l) => Math.max(m, l[0] ?? 0), 0)
  return {
    pipelines: count,
    minutes,
    expected,
    runs: rows.length,
    missed,
    duplicated,
    startupFires,
    outcomes,
    states,
    created: lagsOf(created),
    started: lagsOf(started),
    perMinuteP99: [...byMinute.keys()].sort().map((k) => lagsOf(byMinute.get(k)!).p99),
    burstCpuMs: [...byMinute.keys()].sort().map((k) => {
      const due = Date.parse(k)
      const end = due + Math.max(...byMinute.get(k)!) + 500
      const idleRate = (cpuAt(cpuSamples, due - 1000) - cpuAt(cpuSamples, due - 21_000)) / 20_000
      return cpuAt(cpuSamples, end) - cpuAt(cpuSamples, due - 250) - idleRate * (end - due + 250)
    }),
    rssPeakMb: Math.max(0, ...samples) / 1024,
    rssMeanMb: mean / 1024,
    rssIdleMb: rssIdle / 1024,
    cpuPercent: ((cpu1 - cpu0) / wall) * 100,
    load: `${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1-min peak while measuring ${maxLoad.toFixed(2)})`,
  }
}

/** The child's CPU ms at `t`, from the last sample at or before it. */
function cpuAt(samples: [number, number][], t: number): number {
  let v = samples[0]?.[1] ?? 0
  for (const [at, c] of samples) {
    if (at > t) break
    v = c
  }
  return v
}

const f = (ms: number) => (Number.isNaN(ms) ? '—' : `${ms.toFixed(0)} ms`)
const mb = (v: number) => `${v.toFixed(0)} MB`

async function main(): Promise<void> {
  console.log(
    `scheduler bench: ${PIPELINES} pipelines × ${MINUTES} min vs 1 pipeline × ${REF_MINUTES} min; ${cpus().length} cores, Node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${new Date().toISOString()}`,
  )
  const big = await runCase(PIPELINES, MINUTES, CPU_PROF && resolve(CPU_PROF))
  const ref = REF_MINUTES > 0 ? await runCase(1, REF_MINUTES) : undefined
  const rows: [string, string, string][] = figures(big, ref)
  const w = Math.max(...rows.map((r) => r[0].length))
  const w2 = Math.max(...rows.map((r) => r[1].length), 20)
  console.log(
    `\n${'figure'.padEnd(w)}  ${`${PIPELINES} pipelines`.padEnd(w2)}  1 pipeline (reference)`,
  )
  for (const [k, a, b] of rows) console.log(`${k.padEnd(w)}  ${a.padEnd(w2)}  ${b}`)
  if (big.started.p99 >= 1000) console.log('\np99 lag is over the 1 s target')
}

/** The printed table: one row per figure, the big case and the reference side by side. */
function figures(big: CaseResult, refCase: CaseResult | undefined): [string, string, string][] {
  const none = { ...big, load: '—' }
  const ref = refCase ?? none
  const rows: [string, string, string][] = [
    ['runs expected (pipelines × boundaries)', String(big.expected), String(ref.expected)],
    ['runs created', String(big.runs), String(ref.runs)],
    ['missed fires', String(big.missed), String(ref.missed)],
    ['duplicated fires', String(big.duplicated), String(ref.duplicated)],
    [
      'fire outcomes',
      JSON.stringify(big.outcomes).replace(/"/g, ''),
      JSON.stringify(ref.outcomes).replace(/"/g, ''),
    ],
    [
      'run states',
      JSON.stringify(big.states).replace(/"/g, ''),
      JSON.stringify(ref.states).replace(/"/g, ''),
    ],
    ['start-up fires (not measured)', String(big.startupFires), String(ref.startupFires)],
    ['lag created − due p50', f(big.created.p50), f(ref.created.p50)],
    ['lag created − due p95', f(big.created.p95), f(ref.created.p95)],
    ['lag created − due p99', f(big.created.p99), f(ref.created.p99)],
    ['lag created − due max', f(big.created.max), f(ref.created.max)],
    ['lag started − due p50', f(big.started.p50), f(ref.started.p50)],
    ['lag started − due p95', f(big.started.p95), f(ref.started.p95)],
    ['lag started − due p99 (target < 1 s)', f(big.started.p99), f(ref.started.p99)],
    ['lag started − due max', f(big.started.max), f(ref.started.max)],
    ['p99 of each minute', big.perMinuteP99.map(f).join(', '), ref.perMinuteP99.map(f).join(', ')],
    [
      'CPU per boundary burst (per run)',
      big.burstCpuMs.map((c) => `${f(c)} (${(c / big.pipelines).toFixed(2)})`).join(', '),
      ref.burstCpuMs.map(f).join(', '),
    ],
    ['RSS after start-up', mb(big.rssIdleMb), mb(ref.rssIdleMb)],
    ['RSS peak', mb(big.rssPeakMb), mb(ref.rssPeakMb)],
    ['RSS mean', mb(big.rssMeanMb), mb(ref.rssMeanMb)],
    ['CPU of the child (% of one core)', big.cpuPercent.toFixed(1), ref.cpuPercent.toFixed(1)],
    ['load average at the end', big.load, ref.load],
  ]
  return refCase ? rows : rows.map(([k, a]) => [k, a, '(not run)'])
}

await main()
