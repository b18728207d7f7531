import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PipelineCatalog, unchanged } from '../../../src/cli/serve/pipeline-catalog.js'
import { RunLauncher } from '../../../src/cli/serve/run-launcher.js'
import { SecretMask } from '../../../src/core/secret-mask.js'
import { DataPlane } from '../../../src/engine/data-plane.js'
import { RunEvents } from '../../../src/engine/run-events.js'
import { SqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js'

// `serve` runs a pipeline whose file cannot depend on the run from the catalog's compiled copy;
// everything else (templates, ${env:…}, params, a file changed since loading) is loaded again.
let dir: string
let store: SqliteStateStore
let plane: DataPlane
const env = { REGION: 'eu' }

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-launcher-'))
  store = await SqliteStateStore.open({ path: join(dir, 'state.db') })
  plane = new DataPlane(join(dir, 'ws'))
})
afterEach(async () => {
  await plane.close()
  await store.close()
  await rm(dir, { recursive: true, force: true })
})

async function setup(files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  const catalog = new PipelineCatalog(dir, env, () => {})
  expect(await catalog.load()).toEqual([])
  const launcher = new RunLauncher({
    store,
    catalog,
    plane,
    events: new RunEvents(),
    env,
    secrets: new SecretMask(),
    log: () => {},
  })
  return { catalog, launcher }
}

async function finished(runId: string) {
  for (let i = 0; i < 200; i++) {
    const run = await store.getRun(runId)
    if (run && run.state !== 'QUEUED' && run.state !== 'RUNNING') return run
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`run ${runId} did not finish`)
}

const interval = {
  scheduledFor: new Date('2026-05-01T01:00:00Z'),
  dataInterval: { start: new Date('2026-05-01T00:00:00Z'), end: new Date('2026-05-01T01:00:00Z') },
  logicalDate: new Date('2026-05-01T00:00:00Z'),
}

describe('RunLauncher with the catalog', () => {
  it('marks only run-independent YAML as reusable', async () => {
    const { catalog } = await setup({
      'plain.yaml': 'name: plain\nschedule: "0 * * * *"\ntasks:\n  t: { type: noop }\n',
      'templated.yaml':
        'name: templated\nparams: { since: { type: string, default: "{{ data_interval_start }}" } }\ntasks:\n  t: { type: noop }\n',
      'env.yaml': 'name: env\ntasks:\n  t: { type: command, command: "echo ${env:REGION}" }\n',
    })
    expect(catalog.get('plain')?.reusable).toBe(true)
    expect(catalog.get('templated')?.reusable).toBe(false)
    expect(catalog.get('env')?.reusable).toBe(false)
    expect(unchanged(catalog.get('plain')!)).toBe(true)
  })

  it('runs a reusable pipeline from the catalog and a templated one with its run context', async () => {
    const { catalog, launcher } = await setup({
      'plain.yaml': 'name: plain\nschedule: "0 * * * *"\ntasks:\n  t: { type: noop }\n',
      'templated.yaml':
        'name: templated\nschedule: "0 * * * *"\nparams: { since: { type: string, default: "{{ data_interval_start }}" } }\ntasks:\n  t: { type: noop }\n',
    })
    const base = { params: {}, trigger: 'schedule', actor: 'scheduler', ...interval }
    const plain = await finished((await launcher.start({ ...base, pipeline: 'plain' })).runId)
    expect(plain).toMatchObject({
      state: 'SUCCESS',
      pipelineHash: catalog.get('plain')!.hash,
      scheduledFor: '2026-05-01T01:00:00.000Z',
    })
    const templated = await finished(
      (await launcher.start({ ...base, pipeline: 'templated' })).runId,
    )
    expect(templated.state).toBe('SUCCESS')
    expect(templated.params).toEqual({ since: '2026-05-01T00:00:00.000Z' })
  })

  it('loads the file again when it changed since the catalog loaded it', async () => {
    const { catalog, launcher } = await setup({
      'plain.yaml': 'name: plain\ntasks:\n  t: { type: noop }\n',
    })
    const before = catalog.get('plain')!.hash
    // written before the catalog's watcher (not started here) could reload it
    await writeFile(join(dir, 'plain.yaml'), 'name: plain\ntasks:\n  t2: { type: noop }\n')
    expect(unchanged(catalog.get('plain')!)).toBe(false)
    const run = await finished(
      (await launcher.start({ pipeline: 'plain', params: {}, trigger: 'manual', actor: 't' }))
        .runId,
    )
    expect(run.state).toBe('SUCCESS')
    expect(run.pipelineHash).not.toBe(before)
    expect((await store.listTasks(run.id)).map((t) => t.taskId)).toEqual(['t2'])
  })
})
