import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '../..')
const bin = join(root, 'bin/sluice.js')
const fixtures = join(root, 'test/fixtures/kill')

let ws: string
beforeEach(async () => {
  ws = await mkdtemp(join(tmpdir(), 'sluice-dur-'))
})
afterEach(async () => {
  await rm(ws, { recursive: true, force: true })
})

function start(args: string[]): {
  child: ChildProcess
  output: () => string
  done: Promise<{ code: number | null; signal: string | null; out: string; err: string }>
} {
  const child = spawn(process.execPath, [bin, '--workspace', ws, ...args], {
    cwd: root,
    env: { ...process.env, SLUICE_TEST_OUT: ws },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const done = new Promise<{
    code: number | null
    signal: string | null
    out: string
    err: string
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })))
  return { child, output: () => out, done }
}

const sluice = async (args: string[]) => start(args).done

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now()
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 25))
  }
}

const lines = async () =>
  (await readFile(join(ws, 'out.txt'), 'utf8').catch(() => '')).split('\n').filter(Boolean)

interface ShownTask {
  taskId: string
  state: string
  attempts: { state: string }[]
}
const show = async (runId: string) =>
  JSON.parse((await sluice(['show', runId, '--json'])).out) as { state: string; tasks: ShownTask[] }
const latestRun = async () =>
  (JSON.parse((await sluice(['runs', '--json'])).out) as { id: string }[])[0]!.id

describe('durability of sluice run', () => {
  it('SIGKILL mid-run, then resume: every task succeeds once, none that had succeeded runs again', async () => {
    const run = start(['run', join(fixtures, 'twenty.yaml')])
    await waitFor(async () => (await lines()).length >= 7)
    run.child.kill('SIGKILL')
    const killed = await run.done
    expect(killed.signal).toBe('SIGKILL')
    const runId = await latestRun()
    const before = await show(runId)
    expect(before.state).toBe('RUNNING') // the process died without finishing it
    const succeededBefore = before.tasks.filter((t) => t.state === 'SUCCESS').map((t) => t.taskId)
    expect(succeededBefore.length).toBeGreaterThan(0)
    expect(succeededBefore.length).toBeLessThan(20)

    const resumed = await sluice(['resume', runId])
    expect(resumed.code, resumed.err).toBe(0)
    const after = await show(runId)
    expect(after.state).toBe('SUCCESS')
    expect(after.tasks.filter((t) => t.state === 'SUCCESS')).toHaveLength(20)
    const written = await lines()
    const counts = new Map<string, number>()
    for (const id of written) counts.set(id, (counts.get(id) ?? 0) + 1)
    expect(counts.size).toBe(20)
    for (const id of succeededBefore) {
      expect(counts.get(id), `${id} had succeeded and must not run again`).toBe(1)
      expect(after.tasks.find((t) => t.taskId === id)!.attempts).toHaveLength(1)
    }
    // a task that was mid-flight at the kill is marked orphaned and retried in a new attempt
    const orphaned = after.tasks.filter((t) => t.attempts.some((a) => a.state === 'FAILED'))
    for (const t of orphaned) expect(t.attempts.at(-1)!.state).toBe('SUCCESS')
    const events = JSON.parse((await sluice(['show', runId, '--json'])).out) as { state: string }
    expect(events.state).toBe('SUCCESS')
  }, 60_000)

  it('SIGINT exits 130 within the grace period and leaves no task RUNNING', async () => {
    const run = start(['run', join(fixtures, 'sleepy.yaml')])
    await waitFor(() =>
      Promise.resolve(/task a RUNNING/.test(run.output()) && /task b RUNNING/.test(run.output())),
    )
    const t0 = Date.now()
    run.child.kill('SIGINT')
    const r = await run.done
    expect(r.code).toBe(130)
    expect(Date.now() - t0).toBeLessThan(5000)
    const shown = await show(await latestRun())
    expect(shown.state).toBe('CANCELLED')
    expect(shown.tasks.map((t) => t.state)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED'])
  }, 30_000)

  it('sluice cancel from another process stops the run (exit 130)', async () => {
    const run = start(['run', join(fixtures, 'sleepy.yaml')])
    let runId = ''
    await waitFor(async () => {
      const out = (await sluice(['runs', '--json'])).out
      const runs = JSON.parse(out || '[]') as { id: string; state: string }[]
      runId = runs[0]?.state === 'RUNNING' ? runs[0].id : ''
      return runId !== ''
    })
    const c = await sluice(['cancel', runId])
    expect(c.code).toBe(0)
    const r = await run.done
    expect(r.code).toBe(130)
    expect((await show(runId)).tasks.every((t) => t.state === 'CANCELLED')).toBe(true)
  }, 30_000)
})
