import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compilePipeline } from '../../../../src/definition/compile-pipeline.js'
import { loadPipelineText } from '../../../../src/definition/load-pipeline.js'
import { DataPlane } from '../../../../src/engine/data-plane.js'
import { runPipeline, type RunResult } from '../../../../src/engine/run-pipeline.js'
import { SqliteStateStore } from '../../../../src/state/sqlite/sqlite-state-store.js'
import { plain } from './run-ops.js'

// Time-series ops through a pipeline: YAML validation, CSV extract, transform task, dataset.
let ws: string
let store: SqliteStateStore
let n = 0

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'sluice-timeseries-'))
  store = await SqliteStateStore.open({ path: join(ws, 'state.db') })
  // two hosts, a counter sampled every 30 s with a reset, one sample missing for h2
  const lines = ['host,timestamp,requests_total,when']
  for (const host of ['h1', 'h2']) {
    for (let i = 0; i < 8; i++) {
      if (host === 'h2' && i === 5) continue
      const t = new Date(Date.UTC(2024, 0, 1, 0, 0, i * 30)).toISOString()
      const v = host === 'h1' && i >= 4 ? (i - 4) * 10 : i * 100
      lines.push(`${host},${t},${v},yesterday`)
    }
  }
  await writeFile(join(ws, 'm.csv'), `${lines.join('\n')}\n`)
})
afterAll(async () => {
  await store.close()
  await rm(ws, { recursive: true, force: true })
})

async function run(yaml: string): Promise<{ r: RunResult; rows: unknown[][] }> {
  const runId = `r${++n}`
  const loaded = loadPipelineText(yaml, { run: { runId }, displayName: join(ws, 'p.yaml') })
  expect(loaded.issues.filter((i) => i.severity === 'error')).toEqual([])
  const plane = new DataPlane(ws)
  try {
    const r = await runPipeline(compilePipeline(loaded), { store, runId, dataPlane: plane })
    const rows: unknown[][] = []
    if (r.tasks.ts?.state === 'SUCCESS') {
      const ds = await plane.datasets()
      for await (const b of ds.read(r.runId, 'ts')) rows.push(...b.rows.map((x) => x.map(plain)))
    }
    return { r, rows }
  } finally {
    await plane.close()
  }
}

const pipeline = (ops: string) => `name: ts
tasks:
  m: { type: extract, source: { path: m.csv } }
  ts:
    type: transform
    depends_on: [m]
    ops:
${ops}`

describe('time-series ops in a pipeline', () => {
  it('increase, then resample per host, then completeness', async () => {
    const { r, rows } = await run(
      pipeline(`      - increase: { columns: requests_total, by: [host] }
      - resample: { step: 1m, columns: { requests_total_increase: sum }, by: [host] }
      - completeness: { step: 1m, by: [host], reference: "2024-01-01T00:05:00Z" }
`),
    )
    expect(r.state, JSON.stringify(r.tasks)).toBe('SUCCESS')
    // 4 one-minute buckets per host, all present; the last bucket starts at 3:00, 120 s before 5:00
    expect(rows).toEqual([
      ['h1', '2024-01-01T00:00:00', '2024-01-01T00:03:00', 4, 4, 1, 120],
      ['h2', '2024-01-01T00:00:00', '2024-01-01T00:03:00', 4, 4, 1, 120],
    ])
  })

  it('the increases sum across a reset, per host', async () => {
    const { r, rows } = await run(
      pipeline(`      - increase: { columns: requests_total, by: [host] }
      - aggregate: { group_by: [host], measures: { total: "sum(requests_total_increase)" } }
`),
    )
    expect(r.state, JSON.stringify(r.tasks)).toBe('SUCCESS')
    // h1: 0, 100, 200, 300, then reset to 0, 10, 20, 30 → 300 + 0 + 30 = 330; h2: 0 … 700 → 700
    expect(rows).toEqual([
      ['h1', 330],
      ['h2', 700],
    ])
  })

  it('a text time column fails the task naming the op and how to fix it', async () => {
    const { r } = await run(
      pipeline(
        `      - rolling: { columns: requests_total, stats: [mean], rows: [3], time: when }\n`,
      ),
    )
    expect(r.tasks.ts?.state).toBe('FAILED')
    expect(r.tasks.ts?.error?.message).toMatch(
      /ops\[0\] rolling: column "when" is VARCHAR, not a timestamp \(hint: cast it first: `- cast: \{ when: timestamp \}`\)/,
    )
  })

  it('a bad step is a validation issue before anything runs', () => {
    const loaded = loadPipelineText(
      pipeline(`      - resample: { step: 5 minutes, columns: [requests_total] }\n`),
      { run: { runId: 'x' }, displayName: join(ws, 'p.yaml') },
    )
    const errors = loaded.issues.filter((i) => i.severity === 'error')
    expect(errors.length).toBeGreaterThan(0)
    expect(JSON.stringify(errors)).toMatch(/duration/)
  })
})
