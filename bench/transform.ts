// Transform throughput (npm run bench:transform). On N generated rows (BENCH_TRANSFORM_ROWS,
// default 10,000,000; 5 columns) stored as a Parquet dataset, times three transform tasks run by
// the engine, each beside a reference measured in the same process:
//   1. a `sql` filter + aggregate            vs the same query in DuckDB directly (COPY to Parquet)
//   2. built-in ops: filter + derive         vs the equivalent SELECT in DuckDB directly
//   3. a TS row-mode `map` (`{ ...row, total }`, worker threads) vs the same function in a plain
//      loop in this thread over the same DuckDB batches (one thread, nothing written)
//   4. the same with a projection-style map (`{ id, amount, total }` built as a literal: no spread,
//      which alone costs V8 ~0.9 µs per row in Node 20), vs its plain loop
// A module over a Parquet input runs in one worker per core, each reading and writing its share
// of the rows itself (runPartitionedTransform). Targets (issue 5): sql ≥ 5M rows/s, TS map ≥ 500k
// rows/s. Task times come from the state store (attempt durations), so the input extract is not
// counted; `cpu` is the process's CPU time (all threads, DuckDB's included) during the task, which
// says what the task costs when the machine is shared (wall ≈ cpu / cores on an idle machine).
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { compilePipeline } from '../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../src/definition/load-pipeline.js'
import { quoteLiteral } from '../src/data/duckdb/quote-literal.js'
import { DataPlane } from '../src/engine/data-plane.js'
import { RunEvents } from '../src/engine/run-events.js'
import { runPipeline } from '../src/engine/run-pipeline.js'
import { SqliteStateStore } from '../src/state/sqlite/sqlite-state-store.js'
import { map } from './fixtures/double-map.js'
import { map as projection } from './fixtures/projection-map.js'

const ROWS = Number(process.env.BENCH_TRANSFORM_ROWS ?? 10_000_000)
const SQL_AGG =
  'SELECT category, count(*) AS n, sum(amount) AS total, avg(qty) AS avg_qty FROM input WHERE qty > 5 GROUP BY category'
const OPS_SQL = 'SELECT *, amount * qty AS total, amount > 50000 AS big FROM input WHERE qty > 5'

const rate = (rows: number, ms: number): string =>
  `${(rows / (ms / 1000) / 1e6).toFixed(2)} M rows/s`.padStart(16)

async function main(): Promise<void> {
  const ws = await mkdtemp(join(tmpdir(), 'sluice-bench-transform-'))
  const input = join(ws, 'input.parquet')
  const plane = new DataPlane(ws)
  const store = await SqliteStateStore.open({ path: join(ws, 'state.db') })
  try {
    const engine = await plane.engine()
    await engine.run(
      `COPY (SELECT range AS id, 'name_' || (range % 100000) AS name, (hash(range) % 10000000) / 100.0 AS amount,
              1 + range % 9 AS qty, ['alpha','beta','gamma','delta','epsilon'][1 + range % 5] AS category
         FROM range(${ROWS})) TO ${quoteLiteral(input)} (FORMAT parquet)`,
    )
    const yaml = `name: bench_transform
max_parallel: 1
tasks:
  input: { type: extract, source: { path: ${input} } }
  sql_agg: { type: sql, depends_on: [input], sql: "${SQL_AGG}" }
  ops_chain:
    type: transform
    depends_on: [sql_agg, input]
    input: input
    ops: [{ filter: "qty > 5" }, { derive: { total: "amount * qty", big: "amount > 50000" } }]
  ts_map:
    type: transform
    depends_on: [ops_chain, input]
    input: input
    module: ${join(import.meta.dirname, 'fixtures', 'double-map.ts')}
  ts_projection:
    type: transform
    depends_on: [ts_map, input]
    input: input
    module: ${join(import.meta.dirname, 'fixtures', 'projection-map.ts')}
`
    const runId = 'bench-transform'
    const compiled = compilePipeline(loadPipelineText(yaml, { run: { runId } }))
    // CPU time of the whole process (worker threads and DuckDB included) while each task runs
    const events = new RunEvents()
    const cpuAt = new Map<string, number>()
    const cpu = new Map<string, number>()
    const cpuNow = (): number => {
      const u = process.cpuUsage()
      return (u.user + u.system) / 1000
    }
    events.on('task:state', (e) => {
      if (e.to === 'RUNNING') cpuAt.set(e.taskId, cpuNow())
      else if (cpuAt.has(e.taskId)) cpu.set(e.taskId, cpuNow() - cpuAt.get(e.taskId)!)
    })
    const result = await runPipeline(compiled, { store, runId, dataPlane: plane, events })
    if (result.state !== 'SUCCESS') throw new Error(JSON.stringify(result.tasks, null, 2))
    const took = new Map(
      (await store.listTasks(runId)).map((t) => [t.taskId, t.attempts.at(-1)?.durationMs ?? NaN]),
    )

    const datasets = await plane.datasets()
    const ref = datasets.sqlRef(runId, 'input')
    const timed = async (f: () => Promise<void>): Promise<number> => {
      const t0 = performance.now()
      await f()
      return performance.now() - t0
    }
    const copy = (sql: string, name: string) =>
      engine.run(
        `COPY (WITH input AS (SELECT * FROM ${ref}) ${sql}) TO ${quoteLiteral(join(ws, name))} (FORMAT parquet)`,
      )
    const duckAgg = await timed(() => copy(SQL_AGG, 'ref-agg.parquet'))
    const duckOps = await timed(() => copy(OPS_SQL, 'ref-ops.parquet'))
    const jsLoop = (f: (row: Record<string, unknown>) => Record<string, unknown>) =>
      timed(async () => {
        let n = 0
        for await (const batch of datasets.read(runId, 'input')) {
          const names = batch.schema.columns.map((c) => c.name)
          for (const values of batch.rows) {
            const row: Record<string, unknown> = {}
            for (let i = 0; i < names.length; i++) row[names[i]!] = values[i]
            if (f(row).total !== undefined) n++
          }
        }
        if (n !== ROWS) throw new Error(`loop saw ${n} rows`)
      })
    const mapLoop = await jsLoop(map)
    const projectionLoop = await jsLoop(projection)

    const secs = (ms: number | undefined): string =>
      `${((ms ?? NaN) / 1000).toFixed(2).padStart(6)} s`
    const line = (what: string, task: string, refWhat: string, refMs: number): void => {
      const ms = took.get(task)!
      console.log(
        `${what.padEnd(34)} ${secs(ms)} ${rate(ROWS, ms)} (cpu ${secs(cpu.get(task))})   | ${refWhat.padEnd(26)} ${secs(refMs)} ${rate(ROWS, refMs)}`,
      )
    }
    console.log(
      `transform bench: ${ROWS.toLocaleString('en')} rows × 5 columns, ${cpus().length} cores, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
    )
    line('sql filter + aggregate (task)', 'sql_agg', 'DuckDB directly', duckAgg)
    line('ops filter + derive (task)', 'ops_chain', 'DuckDB directly', duckOps)
    line('TS spread map, workers (task)', 'ts_map', 'plain JS loop, 1 thread', mapLoop)
    line(
      'TS projection map, workers (task)',
      'ts_projection',
      'plain JS loop, 1 thread',
      projectionLoop,
    )
  } finally {
    await store.close()
    await plane.close()
    await rm(ws, { recursive: true, force: true })
  }
}

await main()
