/**
 * Validation and planning of a 10,000-task pipeline.
 *
 *   npx tsx bench/dag.ts [--tasks 10000] [--runs 5] [--seed 42] [--write-yaml big.yaml]
 *
 * Generates a random DAG (about 3 edges per task, each to an earlier task, so it is acyclic; noop
 * and command tasks; some tags, priorities and `estimate:`), writes it as YAML text and as a spec
 * object, and times, over several runs after one warm-up:
 *   - loadPipelineText (YAML parse with positions + substitution + validation) and planLoaded;
 *   - loadPipelineSpec + planLoaded on the object (no YAML);
 *   - the loader's stages one by one, to show where the time goes;
 *   - yaml's parse() / parseDocument() and js-yaml's load() of the same text, as references.
 * Target: validate+plan under 200 ms.
 */
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import jsyaml from 'js-yaml'
import { parse as yamlParse, parseDocument } from 'yaml'
import { loadPipelineSpec, loadPipelineText } from '../src/definition/load-pipeline.js'
import { parseYamlSource } from '../src/definition/parse-yaml-source.js'
import { planLoaded } from '../src/definition/plan-loaded.js'
import { substituteTemplates } from '../src/definition/substitute-templates.js'
import { validateSpec } from '../src/definition/validate-spec.js'

const TARGET_MS = 200
/** The options parseYamlSource passes to yaml. */
const YAML_OPTIONS = { uniqueKeys: false, prettyErrors: false, merge: false } as const

const { values: args } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
    seed: { type: 'string', default: '42' },
    'write-yaml': { type: 'string' },
  },
})
const N = Number(args.tasks)
const RUNS = Math.max(1, Number(args.runs))
const SEED = Number(args.seed)

/** mulberry32: a small seeded PRNG, so every run benchmarks the same graph. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface GenTask {
  type: 'noop' | 'command'
  depends_on?: string[]
  command?: string
  tags?: string[]
  estimate?: string
  priority?: number
}

/** A random DAG: edges only to earlier tasks, half to the last 50 (long chains), half anywhere. */
function generate(
  n: number,
  seed: number,
): { spec: { name: string; max_parallel: number; tasks: Record<string, GenTask> }; edges: number } {
  const rand = rng(seed)
  const int = (k: number) => Math.floor(rand() * k)
  const id = (i: number) => `t${String(i).padStart(5, '0')}`
  const tags = ['extract', 'finance', 'nightly', 'critical', 'eu', 'us']
  const tasks: Record<string, GenTask> = {}
  let edges = 0
  for (let i = 0; i < n; i++) {
    const t: GenTask = { type: rand() < 0.7 ? 'noop' : 'command' }
    const want = i === 0 ? 0 : Math.min(i, int(7)) // 0..6, mean 3
    const deps = new Set<number>()
    while (deps.size < want) deps.add(rand() < 0.5 ? i - 1 - int(Math.min(i, 50)) : int(i))
    if (deps.size > 0) t.depends_on = [...deps].sort((a, b) => a - b).map(id)
    edges += deps.size
    if (t.type === 'command') t.command = `echo ${id(i)} {{ run_id }}`
    if (rand() < 0.2)
      t.tags = [tags[int(tags.length)]!, ...(rand() < 0.3 ? [tags[int(tags.length)]!] : [])]
    if (rand() < 0.5) t.estimate = rand() < 0.8 ? `${1 + int(120)}s` : `${1 + int(10)}m`
    if (rand() < 0.05) t.priority = int(21) - 10
    tasks[id(i)] = t
  }
  return { spec: { name: 'bench_dag', max_parallel: 64, tasks }, edges }
}

/** The same pipeline as a YAML file, block style, as a person (or a generator) would write it. */
function toYaml(spec: ReturnType<typeof generate>['spec']): string {
  const out = [
    `name: ${spec.name}`,
    `description: generated ${N}-task DAG for bench/dag.ts`,
    `max_parallel: ${spec.max_parallel}`,
    'tasks:',
  ]
  for (const [id, t] of Object.entries(spec.tasks)) {
    out.push(`  ${id}:`, `    type: ${t.type}`)
    if (t.depends_on) out.push(`    depends_on: [${t.depends_on.join(', ')}]`)
    if (t.command !== undefined) out.push(`    command: "${t.command}"`)
    if (t.tags) out.push(`    tags: [${t.tags.join(', ')}]`)
    if (t.estimate !== undefined) out.push(`    estimate: ${t.estimate}`)
    if (t.priority !== undefined) out.push(`    priority: ${t.priority}`)
  }
  return out.join('\n') + '\n'
}

interface Stat {
  readonly label: string
  readonly min: number
  readonly median: number
  readonly note?: string
}

function time(label: string, fn: () => unknown, note?: string): Stat {
  fn() // warm-up
  const ms: number[] = []
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now()
    fn()
    ms.push(performance.now() - t0)
  }
  ms.sort((a, b) => a - b)
  return {
    label,
    min: ms[0]!,
    median: ms[Math.floor(ms.length / 2)]!,
    ...(note !== undefined && { note }),
  }
}

const fmt = (ms: number) => ms.toFixed(1).padStart(8)

function table(title: string, rows: readonly Stat[]): void {
  const w = Math.max(...rows.map((r) => r.label.length), 10)
  console.log(`\n${title}`)
  console.log(`  ${'step'.padEnd(w)}  ${'min ms'.padStart(8)}  ${'median'.padStart(8)}`)
  console.log(`  ${'-'.repeat(w)}  ${'-'.repeat(8)}  ${'-'.repeat(8)}`)
  for (const r of rows)
    console.log(
      `  ${r.label.padEnd(w)}  ${fmt(r.min)}  ${fmt(r.median)}${r.note ? `  ${r.note}` : ''}`,
    )
}

// ---------------------------------------------------------------------------------------------

const { spec, edges } = generate(N, SEED)
const text = toYaml(spec)
if (args['write-yaml'] !== undefined) writeFileSync(args['write-yaml'], text) // e.g. for `sluice validate` or --cpu-prof
const machine = { cpus: cpus().length, memoryMb: Math.round(totalmem() / 2 ** 20) }

console.log(`sluice bench: validate + plan a ${N.toLocaleString('en')}-task DAG`)
console.log(
  `  date ${new Date().toISOString()}, node ${process.version}, ${process.platform}/${process.arch}`,
)
console.log(
  `  cpu  ${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores), ${machine.memoryMb} MB`,
)
console.log(
  `  graph ${N} tasks, ${edges} edges (${(edges / N).toFixed(2)} per task), YAML ${(text.length / 1024).toFixed(0)} KiB, ${RUNS} runs after 1 warm-up, seed ${SEED}`,
)

// sanity: both paths must give a valid pipeline with every task planned exactly once
const check = (what: string, loaded: ReturnType<typeof loadPipelineText>) => {
  const errors = loaded.issues.filter((i) => i.severity === 'error')
  if (!loaded.spec || errors.length > 0)
    throw new Error(
      `${what}: the generated pipeline is invalid: ${JSON.stringify(errors.slice(0, 3))}`,
    )
  const plan = planLoaded(loaded)
  const planned = plan.levels.flat()
  if (planned.length !== N || new Set(planned).size !== N)
    throw new Error(`${what}: the plan holds ${planned.length} tasks, not ${N}`)
  return plan
}
const plan = check('YAML', loadPipelineText(text))
check('object', loadPipelineSpec(spec))
console.log(
  `  plan ${plan.levels.length} batches (max_parallel ${spec.max_parallel}), critical path ${plan.criticalPath?.tasks.length ?? 0} tasks / ${((plan.criticalPath?.durationMs ?? 0) / 1000).toFixed(0)} s`,
)

const fromYaml = time('validate+plan from YAML', () => planLoaded(loadPipelineText(text)))
const fromObject = time('validate+plan object spec', () => planLoaded(loadPipelineSpec(spec)))
const loadedYaml = loadPipelineText(text)
const loadedObj = loadPipelineSpec(spec)
const loadText = time('(a) loadPipelineText: parse+substitute+validate', () =>
  loadPipelineText(text),
)

table('end to end', [
  loadText,
  time('(b) planLoaded: levels + critical path', () => planLoaded(loadedYaml)),
  { ...fromYaml, label: '    (a) + (b)' },
  time('(c) loadPipelineSpec: substitute+validate', () => loadPipelineSpec(spec)),
  time('    planLoaded', () => planLoaded(loadedObj)),
  { ...fromObject, label: '    (c) + plan' },
])

// reference: the yaml package alone on the same text, then the loader's stages one by one
const parsed = parseYamlSource(text, 'bench.yaml')
const sub = substituteTemplates(parsed.value, { file: 'bench.yaml', positions: parsed.positions })
const yamlAlone = time('yaml parse(), uniqueKeys: false', () => yamlParse(text, YAML_OPTIONS))
const yamlDoc = time('yaml parseDocument(), loader options', () =>
  parseDocument(text, YAML_OPTIONS),
)
const withPositions = time('parseYamlSource: parseDocument + positions', () =>
  parseYamlSource(text, 'bench.yaml'),
)
table('reference: yaml alone, and the stages of loadPipelineText', [
  time('yaml parse(), default options', () => yamlParse(text), 'duplicate-key check is O(keys²)'),
  yamlAlone,
  yamlDoc,
  withPositions,
  time('substituteTemplates', () =>
    substituteTemplates(parsed.value, { file: 'bench.yaml', positions: parsed.positions }),
  ),
  time('validateSpec: zod + graph + references', () =>
    validateSpec(sub.value, parsed.value, 'bench.yaml', parsed.positions, machine),
  ),
  time('JSON.stringify + sha256 (loadPipelineSpec)', () =>
    createHash('sha256')
      .update(JSON.stringify(spec, null, 2))
      .digest('hex'),
  ),
])
const jsyamlAlone = time('js-yaml load(), core schema (the fast path)', () =>
  jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }),
)
console.log(
  `\n  a valid, alias-free file takes the fast path (js-yaml ${jsyamlAlone.median.toFixed(0)} ms); a file with any issue is` +
    `\n  parsed again with positions (parseYamlSource ${withPositions.median.toFixed(0)} ms) so every message has its line and column`,
)

const verdict = (ms: number) =>
  ms < TARGET_MS ? `OK (< ${TARGET_MS} ms)` : `OVER the ${TARGET_MS} ms target`
console.log(`\ntarget: validate+plan < ${TARGET_MS} ms (median of ${RUNS})`)
console.log(`  object spec: ${fromObject.median.toFixed(1)} ms  ${verdict(fromObject.median)}`)
console.log(`  from YAML:   ${fromYaml.median.toFixed(1)} ms  ${verdict(fromYaml.median)}`)
console.log(
  `\nvalidate+plan (object spec): ${fromObject.median.toFixed(1)} ms; from YAML: ${fromYaml.median.toFixed(1)} ms`,
)
