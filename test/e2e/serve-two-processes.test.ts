import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../helpers/pg-test-database.js'
import { startServe as startServeProcess, type ServeProcess } from '../helpers/start-serve.js'

// Two real `sluice serve` processes on one PostgreSQL state (DESIGN.md §8: a real server; this
// suite fails, never skips, when it is unreachable). Schedules use 6-field cron with seconds,
// on the real clock, instead of a simulated one: what the issue asks of "10 minutes of
// per-minute ticks" is 10 boundaries per pipeline with two schedulers racing for each; here
// three pipelines fire every 2, 3 and 5 s for ~50 s: at least 10 boundaries each (25, 17 and
// 10; ~20 of them on the same instant as another pipeline's), half before and half after a
// leader change, through the same
// code paths (the advisory lock, claims in the store, runs by the engine). Then the leader is
// SIGKILLed and the other process must fire the next due schedules within 30 s.
const db = useTestDatabase('sluice_serve2')
const PIPELINES = { every2: 2, every3: 3, every5: 5 } as const
const PHASE_MS = 26_000

type Serve = ServeProcess & { readonly name: string }

let dir: string
const serves: Serve[] = []
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function startServe(name: string): Promise<Serve> {
  const serve = {
    name,
    ...(await startServeProcess(dir, {
      workspace: `ws-${name}`,
      args: ['--tick', '500'],
      env: { SLUICE_STATE_URL: db.url() },
    })),
  }
  serves.push(serve)
  return serve
}

/** `sluice_scheduler_leader` of /metrics: whether this process fires the schedules. */
async function isLeader(s: Serve): Promise<boolean> {
  const body = await (await fetch(`${s.url}/metrics`)).text()
  const m = /^sluice_scheduler_leader (\d)/m.exec(body)
  if (!m) throw new Error(`no sluice_scheduler_leader in /metrics of ${s.name}`)
  return m[1] === '1'
}

interface RunRow {
  pipeline: string
  scheduled_for: string
  created_at: string
  owner: string
}

const scheduledRuns = () =>
  db.sql<RunRow>(
    "SELECT pipeline, scheduled_for, created_at, owner FROM sluice.runs WHERE trigger_type = 'schedule'",
  )

/** Every fire instant of an every-`n`-seconds cron in (from, to]: whole seconds divisible by n. */
function slots(n: number, from: number, to: number): string[] {
  const out: string[] = []
  for (let t = Math.floor(from / (n * 1000)) * n * 1000 + n * 1000; t <= to; t += n * 1000)
    out.push(new Date(t).toISOString())
  return out
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-serve2-'))
  await mkdir(join(dir, 'pipes'))
  for (const [name, n] of Object.entries(PIPELINES))
    await writeFile(
      join(dir, 'pipes', `${name}.yaml`),
      `name: ${name}
schedule: { cron: "*/${n} * * * * *", overlap: allow }
tasks:
  t: { type: noop }
`,
    )
}, 30_000)

afterAll(async () => {
  for (const s of serves) if (s.child.exitCode === null) s.child.kill('SIGKILL')
  await rm(dir, { recursive: true, force: true })
})

describe('two sluice serve processes on one PostgreSQL state', () => {
  it('fire every scheduled slot exactly once; the survivor takes over within 30 s of a SIGKILL', async () => {
    const a = await startServe('a')
    const b = await startServe('b')
    const bothUp = Date.now()

    // exactly one of them leads
    await sleep(1500)
    const leaders = [await isLeader(a), await isLeader(b)]
    expect(leaders.filter(Boolean)).toHaveLength(1)
    const [leader, follower] = leaders[0] ? [a, b] : [b, a]
    expect(leader.output()).toMatch(/scheduler: this process is the leader/)
    expect(follower.output()).toMatch(/scheduler: this process is not the leader/)

    // phase 1: the leader fires; kill it 250 ms past a whole second, between two fire instants
    // (every fire is due on a whole second), so no claim is left half-launched
    await sleep(PHASE_MS)
    await sleep(1250 - (Date.now() % 1000))
    const killedAt = Date.now()
    leader.child.kill('SIGKILL')
    await new Promise((r) => leader.child.once('exit', r))

    // the follower takes over: leader in /metrics, and runs for fires due after the kill
    let takeover: number | undefined
    let firstFire: number | undefined
    while (Date.now() - killedAt < 30_000 && (takeover === undefined || firstFire === undefined)) {
      if (takeover === undefined && (await isLeader(follower))) takeover = Date.now() - killedAt
      const after = (await scheduledRuns()).filter(
        (r) => Date.parse(r.scheduled_for) > killedAt && r.owner.endsWith(`:${follower.child.pid}`),
      )
      if (firstFire === undefined && after.length > 0)
        firstFire = Math.min(...after.map((r) => Date.parse(r.created_at))) - killedAt
      await sleep(100)
    }
    console.log(
      `leader ${leader.name} SIGKILLed; ${follower.name} leader after ${String(takeover)} ms, ` +
        `first run it created for a fire due after the kill: ${String(firstFire)} ms after the kill`,
    )
    expect(takeover).toBeLessThan(30_000)
    expect(firstFire).toBeLessThan(30_000)
    expect(follower.output()).toMatch(/scheduler: this process is the leader/)

    // phase 2: the survivor alone
    await sleep(PHASE_MS - (Date.now() - killedAt))
    const until = Date.now() - 1500 // fires due up to here have had time to be created
    await sleep(500)
    follower.child.kill('SIGTERM')
    await new Promise((r) => follower.child.once('exit', r))

    const runs = await scheduledRuns()
    // never twice: not at start-up, not around the kill, not after
    const count = new Map<string, number>()
    for (const r of runs) {
      const key = `${r.pipeline}@${r.scheduled_for}`
      count.set(key, (count.get(key) ?? 0) + 1)
    }
    expect([...count].filter(([, n]) => n > 1)).toEqual([])
    // never missed: every slot from when both were up to the end, before and after the kill
    const missing: string[] = []
    let expected = 0
    for (const [name, n] of Object.entries(PIPELINES)) {
      const due = slots(n, bothUp, until)
      expect(due.length).toBeGreaterThanOrEqual(10)
      expected += due.length
      for (const s of due) if (!count.has(`${name}@${s}`)) missing.push(`${name}@${s}`)
    }
    expect(missing).toEqual([])
    // and who fired what: the dead leader before the kill, the survivor after it
    const byOwner = (pid: number | undefined, from: number, to: number) =>
      runs.filter(
        (r) =>
          r.owner.endsWith(`:${String(pid)}`) &&
          Date.parse(r.scheduled_for) > from &&
          Date.parse(r.scheduled_for) <= to,
      ).length
    expect(byOwner(follower.child.pid, bothUp + 1000, killedAt)).toBe(0)
    expect(byOwner(leader.child.pid, killedAt, until)).toBe(0)
    console.log(
      `${expected} slots in ${((until - bothUp) / 1000).toFixed(0)} s, each run exactly once ` +
        `(${runs.length} scheduled runs in all, start-up fires included)`,
    )
  }, 90_000)
})
