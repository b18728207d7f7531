import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServe, type ServeProcess } from '../helpers/start-serve.js'

// `sluice serve` as a user runs it: a child process on a free port, a file dropped into a
// watched folder, a webhook call, the API and /metrics, then SIGTERM and a clean exit.
const TOKEN = 'test-token-1234'
let dir: string
let serve: ServeProcess
let url: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-serve-'))
  await mkdir(join(dir, 'pipes', 'incoming'), { recursive: true })
  await writeFile(
    join(dir, 'pipes', 'ingest.yaml'),
    `name: ingest
params: { file: { type: string, default: none } }
triggers:
  - file: { dir: incoming, pattern: "*.csv" }
tasks:
  rows: { type: extract, source: { path: "{{ params.file }}" } }
`,
  )
  await writeFile(
    join(dir, 'pipes', 'flip.yaml'),
    `name: flip
tasks:
  first: { type: command, command: "echo one" }
  second: { type: command, command: "test -f ../marker", depends_on: [first], retries: { max_attempts: 1 } }
`,
  )
  serve = await startServe(dir, {
    env: { SLUICE_API_TOKEN: TOKEN, SLUICE_OPENLINEAGE_FILE: join(dir, 'lineage.jsonl') },
  })
  url = serve.url
}, 40_000)

afterAll(async () => {
  if (serve?.child.exitCode === null) serve.child.kill('SIGKILL')
  await rm(dir, { recursive: true, force: true })
})

interface RunJson {
  id: string
  pipeline: string
  state: string
  trigger: string
  createdAt: string
  params: Record<string, unknown>
}

async function runsOf(pipeline: string): Promise<RunJson[]> {
  const r = await fetch(`${url}/api/v1/runs?pipeline=${pipeline}`)
  expect(r.status).toBe(200)
  return ((await r.json()) as { runs: RunJson[] }).runs
}

async function waitFor<T>(f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const t0 = Date.now()
  for (;;) {
    const v = await f()
    if (v !== undefined) return v
    if (Date.now() - t0 > ms) throw new Error(`timed out; server log:\n${serve.output()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('sluice serve', () => {
  it('a file dropped into a watched folder starts a run within 1 s; the API and /metrics show it', async () => {
    const file = join(dir, 'pipes', 'incoming', 'orders.csv')
    await writeFile(file, 'id,amount\n1,2.5\n2,3.5\n')
    const landed = (await stat(file)).mtimeMs
    const run = await waitFor(async () =>
      (await runsOf('ingest')).find((r) => r.state === 'SUCCESS' && r.trigger === 'file'),
    )
    expect(run.params).toEqual({ file })
    expect(Date.parse(run.createdAt) - landed).toBeLessThan(1000)
    const show = (await (await fetch(`${url}/api/v1/runs/${run.id}`)).json()) as {
      tasks: { taskId: string; state: string }[]
    }
    expect(show.tasks.map((t) => [t.taskId, t.state])).toEqual([['rows', 'SUCCESS']])
    const lineage = (await (
      await fetch(`${url}/api/v1/lineage?pipeline=ingest&task=rows&direction=upstream`)
    ).json()) as { nodes: { id: string; kind: string }[] }
    // the task, then what it read: the file its run was given
    expect(lineage.nodes.map((n) => [n.kind, n.id])).toEqual([
      ['task', 'task:ingest.rows'],
      ['dataset', expect.stringMatching(/^file:/)],
    ])
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metrics).toMatch(/sluice_runs_total\{pipeline="ingest",state="SUCCESS"\} 1/)
    // OpenLineage run events of the run, written by the service (SLUICE_OPENLINEAGE_FILE)
    const events = await waitFor(async () => {
      const text = await readFile(join(dir, 'lineage.jsonl'), 'utf8').catch(() => '')
      const lines = text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { eventType: string; job: { name: string } })
      return lines.some((e) => e.job.name === 'ingest' && e.eventType === 'COMPLETE')
        ? lines
        : undefined
    })
    expect(
      events
        .filter((e) => e.job.name.startsWith('ingest'))
        .map((e) => `${e.job.name} ${e.eventType}`),
    ).toEqual(['ingest START', 'ingest.rows START', 'ingest.rows COMPLETE', 'ingest COMPLETE'])
    // the same file again (same mtime and size) starts nothing new
    await new Promise((r) => setTimeout(r, 1500))
    expect((await runsOf('ingest')).filter((r) => r.trigger === 'file')).toHaveLength(1)
  })

  it('the webhook starts a run with JSON params, needs the token, and dedupes by key', async () => {
    const other = join(dir, 'other.csv')
    await writeFile(other, 'x\n1\n')
    const call = (auth?: string) =>
      fetch(`${url}/api/v1/pipelines/ingest/trigger`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(auth !== undefined && { authorization: `Bearer ${auth}` }),
        },
        body: JSON.stringify({ params: { file: other }, dedupeKey: 'evt-1' }),
      })
    const denied = await call()
    expect(denied.status).toBe(401)
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('E_AUTH')
    const first = await call(TOKEN)
    expect(first.status, await first.clone().text()).toBeLessThan(300)
    const a = (await first.json()) as { runId: string; deduplicated: boolean }
    const b = (await (await call(TOKEN)).json()) as { runId: string; deduplicated: boolean }
    expect(b).toEqual({ ...b, runId: a.runId, deduplicated: true })
    await waitFor(async () =>
      (await runsOf('ingest')).find((r) => r.id === a.runId && r.state === 'SUCCESS'),
    )
    const unknown = await fetch(`${url}/api/v1/pipelines/nope/trigger`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(unknown.status).toBe(404)
  })

  it('a failed run is resumed over the API: only the failed task runs again', async () => {
    const post = (path: string) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      })
    const { runId } = (await (await post('/api/v1/pipelines/flip/trigger')).json()) as {
      runId: string
    }
    await waitFor(async () =>
      (await runsOf('flip')).find((r) => r.id === runId && r.state === 'FAILED'),
    )
    await writeFile(join(dir, 'marker'), 'x')
    const resumed = await post(`/api/v1/runs/${runId}/resume`)
    expect(resumed.status, await resumed.clone().text()).toBeLessThan(300)
    expect(((await resumed.json()) as { tasks: string[] }).tasks).toEqual(['second'])
    await waitFor(async () =>
      (await runsOf('flip')).find((r) => r.id === runId && r.state === 'SUCCESS'),
    )
    const show = (await (await fetch(`${url}/api/v1/runs/${runId}`)).json()) as {
      tasks: { taskId: string; attempts: unknown[] }[]
    }
    expect(show.tasks.map((t) => [t.taskId, t.attempts.length])).toEqual([
      ['first', 1],
      ['second', 2],
    ])
    expect((await post(`/api/v1/runs/${runId}/resume`)).status).toBe(409)
  })

  it('stops cleanly on SIGTERM', async () => {
    expect(await serve.stop()).toBe(0)
    expect(serve.output()).toMatch(/SIGTERM: stopping/)
    expect(serve.output()).toMatch(/stopped/)
  })
})

describe('sluice schedule', () => {
  it('pauses and resumes with a reason recorded; list shows it; bad actions are usage errors', async () => {
    const { sluiceCli } = await import('../helpers/sluice-cli.js')
    const ws = await mkdtemp(join(tmpdir(), 'sluice-sched-'))
    try {
      const s = (args: string[]) => sluiceCli(args, { workspace: ws })
      const paused = await s(['schedule', 'pause', 'orders', '--reason', 'source migration'])
      expect(paused.out.trim()).toBe('orders: paused (source migration)')
      const list = JSON.parse((await s(['schedule', 'list', '--json'])).out) as {
        pipeline: string
        paused: boolean
        reason: string
        updatedBy: string
      }[]
      expect(list).toMatchObject([{ pipeline: 'orders', paused: true, reason: 'source migration' }])
      expect(list[0]!.updatedBy).toMatch(/^cli:/)
      expect((await s(['schedule', 'resume', 'orders'])).out.trim()).toBe('orders: resumed')
      const bad = await s(['schedule', 'stop', 'orders'])
      expect(bad.code).toBe(2)
      expect(bad.err).toMatch(/E_USAGE unknown schedule action stop/)
    } finally {
      await rm(ws, { recursive: true, force: true })
    }
  })
})
