// Dashboard page load (npm run bench:dashboard). 10,000 runs are written into a fresh SQLite
// state store through the StateStore API (createRun + transitions, 4 tasks each, a mix of
// pipelines, triggers and states), then a real `sluice serve` child process serves that
// workspace and Debian's Chromium (playwright-core, headless) opens the Runs page
// (`/#/runs`) until the runs table shows its first page of 50 rows. Printed: the time from
// navigation start to the rendered table (cold: the first load of a fresh browser, then
// BENCH_DASH_LOADS warm loads, default 10, each in a new page: median, p95, max), the API call
// `GET /api/v1/runs?limit=50` alone, and a page further down (offset 5,000). Target: < 1 s.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStateStore } from '../src/state/open-state-store.js'
import {
  ensureDashboardBuilt,
  launchChromium,
  startServe,
} from '../test/browser/dashboard-harness.js'

const RUNS = Number(process.env.BENCH_DASH_RUNS ?? 10_000)
const LOADS = Number(process.env.BENCH_DASH_LOADS ?? 10)
const PIPELINES = ['orders', 'customers', 'billing', 'events']
const TRIGGERS = ['schedule', 'schedule', 'schedule', 'manual', 'webhook', 'backfill']
const TASKS = ['extract', 'clean', 'aggregate', 'load']

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}
const ms = (x: number): string => `${x.toFixed(0)} ms`

ensureDashboardBuilt()
const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-dash-'))
try {
  await mkdir(join(dir, 'pipes'))
  for (const p of PIPELINES)
    await writeFile(
      join(dir, 'pipes', `${p}.yaml`),
      `name: ${p}\ntasks:\n${TASKS.map((t, i) => `  ${t}: { type: command, command: "true"${i > 0 ? `, depends_on: [${TASKS[i - 1]}]` : ''} }`).join('\n')}\n`,
    )

  // 10,000 runs over the last ~35 days through the StateStore API
  const store = await openStateStore({ workspace: join(dir, 'ws') })
  const t0 = performance.now()
  const start = Date.now() - RUNS * 5 * 60_000
  for (let i = 0; i < RUNS; i++) {
    const at = new Date(start + i * 5 * 60_000)
    const id = `r-${String(i).padStart(6, '0')}`
    await store.createRun({
      id,
      pipeline: PIPELINES[i % PIPELINES.length]!,
      pipelineHash: 'bench',
      params: { day: at.toISOString().slice(0, 10) },
      trigger: TRIGGERS[i % TRIGGERS.length]!,
      tasks: TASKS.map((taskId) => ({ taskId })),
      at,
    })
    await store.transitionRun(id, 'QUEUED', 'RUNNING', new Date(at.getTime() + 1000))
    const failed = i % 17 === 0
    await store.transitionRun(
      id,
      'RUNNING',
      failed ? 'FAILED' : 'SUCCESS',
      new Date(at.getTime() + 60_000),
      failed ? { code: 'E_COMMAND_FAILED', message: 'command exited with code 1' } : undefined,
    )
  }
  await store.close()
  const insertMs = performance.now() - t0

  const serve = await startServe(dir)
  const browser = await launchChromium()
  try {
    const apiTimes: number[] = []
    for (let i = 0; i < 10; i++) {
      const a = performance.now()
      const r = await fetch(`${serve.url}/api/v1/runs?limit=50`)
      const body = (await r.json()) as { runs: unknown[] }
      if (body.runs.length !== 50) throw new Error(`expected 50 runs, got ${body.runs.length}`)
      apiTimes.push(performance.now() - a)
    }
    const deepTimes: number[] = []
    for (let i = 0; i < 5; i++) {
      const a = performance.now()
      await (await fetch(`${serve.url}/api/v1/runs?limit=50&offset=5000`)).json()
      deepTimes.push(performance.now() - a)
    }

    const context = await browser.newContext({ viewport: { width: 1366, height: 800 } })
    const load = async (): Promise<number> => {
      const page = await context.newPage()
      await page.goto(`${serve.url}/#/runs`, { waitUntil: 'commit' })
      await page.locator('table[aria-label="runs"] tbody tr[data-run]').nth(49).waitFor()
      // navigation start → the 50th row is in the DOM and laid out
      const t = await page.evaluate(() => performance.now())
      const rows = await page.locator('table[aria-label="runs"] tbody tr[data-run]').count()
      if (rows !== 50) throw new Error(`expected 50 rows, got ${rows}`)
      await page.close()
      return t
    }
    const cold = await load()
    const warm: number[] = []
    for (let i = 0; i < LOADS; i++) warm.push(await load())
    await context.close()

    console.log(
      `dashboard runs page, ${RUNS.toLocaleString()} runs in SQLite (${cpus().length} cores, Node ${process.version})`,
    )
    console.log(`  insert ${RUNS} runs via StateStore      ${ms(insertMs)}`)
    console.log(
      `  GET /api/v1/runs?limit=50              median ${ms(pct(apiTimes, 50))}, max ${ms(Math.max(...apiTimes))}`,
    )
    console.log(
      `  GET /api/v1/runs?limit=50&offset=5000  median ${ms(pct(deepTimes, 50))}, max ${ms(Math.max(...deepTimes))}`,
    )
    console.log(`  Runs page load, cold (fresh browser)   ${ms(cold)}`)
    console.log(
      `  Runs page load, ${LOADS} warm loads         median ${ms(pct(warm, 50))}, p95 ${ms(pct(warm, 95))}, max ${ms(Math.max(...warm))}`,
    )
    console.log(`  target < 1000 ms: ${Math.max(cold, ...warm) < 1000 ? 'met' : 'NOT met'}`)
  } finally {
    await browser.close()
    await serve.stop()
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
