// Engine overhead benchmark (npm run bench:overhead). Prints figures side by side with a
// reference measured in the same process.
//   (a) 40 sequential `function` tasks that each sleep 10 ms: wall time vs 40 plain sleeps
//   (b) 1,000 `noop` tasks in a fan-out/fan-in DAG with SQLite state, end to end
//   (c) trigger to first task start
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { compilePipeline } from '../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../src/definition/load-pipeline.js'
import { RunEvents } from '../src/engine/run-events.js'
import { runPipeline } from '../src/engine/run-pipeline.js'
import { SqliteStateStore } from '../src/state/sqlite/sqlite-state-store.js'

const RUNS = 5
const here = import.meta.dirname

function chainYaml(n: number): string {
  const lines = ['name: chain', 'tasks:']
  for (let i = 0; i < n; i++) {
    lines.push(
      `  t${i}: { type: function, module: ${join(here, 'fixtures/sleep-task.ts')}, export: sleep10${i ? `, depends_on: [t${i - 1}]` : ''} }`,
    )
  }
  return lines.join('\n') + '\n'
}

function fanYaml(n: number): string {
  const lines = ['name: fan', 'tasks:', '  start: { type: noop }']
  const mids: string[] = []
  for (let i = 0; i < n - 2; i++) {
    lines.push(`  m${i}: { type: noop, depends_on: [start] }`)
    mids.push(`m${i}`)
  }
  lines.push(`  end: { type: noop, depends_on: [${mids.join(', ')}] }`)
  return lines.join('\n') + '\n'
}

async function timeRun(yaml: string, runId: string, concurrency?: number) {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-'))
  const store = await SqliteStateStore.open({ path: join(dir, 'state.db') })
  const events = new RunEvents()
  let firstStart = 0
  events.on('task:state', (e) => {
    if (e.to === 'RUNNING' && firstStart === 0) firstStart = performance.now()
  })
  const t0 = performance.now()
  const compiled = compilePipeline(
    loadPipelineText(yaml, { run: { runId }, displayName: join(here, 'x.yaml') }),
  )
  const result = await runPipeline(compiled, {
    store,
    runId,
    events,
    ...(concurrency !== undefined && { concurrency }),
  })
  const total = performance.now() - t0
  await store.close()
  await rm(dir, { recursive: true, force: true })
  if (result.state !== 'SUCCESS') throw new Error(`bench run ${runId} ended ${result.state}`)
  return { total, toFirst: firstStart - t0 }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const min = (xs: number[]) => Math.min(...xs)
const f = (ms: number) => ms.toFixed(1).padStart(8)

// warm up module loading (tsx, the task module, SQLite)
await timeRun(chainYaml(2), 'warm-1')
await timeRun(fanYaml(10), 'warm-2')

const plainSleeps: number[] = []
const chain: number[] = []
const toFirst: number[] = []
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now()
  for (let i = 0; i < 40; i++) await new Promise((res) => setTimeout(res, 10))
  plainSleeps.push(performance.now() - t0)
  const c = await timeRun(chainYaml(40), `chain-${r}`)
  chain.push(c.total)
  toFirst.push(c.toFirst)
}
const fan: number[] = []
for (let r = 0; r < RUNS; r++) fan.push((await timeRun(fanYaml(1000), `fan-${r}`)).total)

const perTask = (median(chain) - median(plainSleeps)) / 40
console.log(
  `sluice engine overhead — node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, ${new Date().toISOString().slice(0, 10)}, ${RUNS} runs (min / median ms)`,
)
console.log('')
console.log(
  'case                                             min    median   reference (same process)',
)
console.log(
  `(a) 40 sequential function tasks × 10 ms   ${f(min(chain))}  ${f(median(chain))}   40 plain 10 ms sleeps: ${median(plainSleeps).toFixed(1)} ms`,
)
console.log(
  `    overhead per task                                ${f(perTask)}   target < 2 ms (Airflow ~2.9 s, Prefect ~120 ms, Temporal ~75 ms, Hatchet ~30 ms)`,
)
console.log(
  `(b) 1,000 noop tasks, fan-out/fan-in, SQLite ${f(min(fan))}  ${f(median(fan))}   target < 2000 ms`,
)
console.log(
  `(c) trigger to first task start            ${f(min(toFirst))}  ${f(median(toFirst))}   target < 50 ms (includes compile + run creation)`,
)
