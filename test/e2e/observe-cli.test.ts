import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { repoRoot, sluiceCli } from '../helpers/sluice-cli.js'

// A project folder with its own workspace; every command runs in it as a user would.
let dir: string
let ws: string
const sluice = (args: string[]) => sluiceCli(args, { cwd: dir, workspace: ws })

interface RunJson {
  id: string
  pipeline: string
  state: string
  trigger: string
  groupId: string | null
  scheduledFor: string | null
}
const runsOf = async (pipeline: string): Promise<RunJson[]> => {
  const r = await sluice(['runs', '--pipeline', pipeline, '--json'])
  expect(r.code).toBe(0)
  return JSON.parse(r.out) as RunJson[]
}

const SHOP = `name: shop
tasks:
  orders:
    type: extract
    source: { path: data/orders.csv }
  clean:
    type: sql
    depends_on: [orders]
    sql: select * from orders where amount > 10
  save:
    type: load
    depends_on: [clean]
    destination: { path: out/clean.csv, mode: replace }
`
const CALC = `name: calc
params: { ok: { type: string, default: "yes" } }
tasks:
  check:
    type: command
    retries: { max_attempts: 1 }
    command: test "{{ params.ok }}" = yes
`
const DAILY = `name: daily
tasks:
  echo:
    type: command
    command: echo "interval {{ data_interval_start }} {{ data_interval_end }}"
`
const FLAKY = `name: flaky
tasks:
  step:
    type: command
    retries: { max_attempts: 1 }
    command: test "{{ data_interval_start }}" != 2026-01-02T00:00:00.000Z || test -f fixed.flag
`
const HALF = `name: half
schedule: "0 0,12 * * *"
tasks:
  echo:
    type: command
    command: echo "half {{ data_interval_start }}"
`
const INCREMENTAL = `name: inc
connections:
  db: "sqlite:src.db"
tasks:
  rows:
    type: extract
    source: { connection: db, table: t, incremental: { column: updated_at } }
`
const INC_WINDOW = `name: incwin
connections:
  db: "sqlite:src.db"
  out: "sqlite:out.db"
tasks:
  rows:
    type: extract
    source:
      connection: db
      query: "select * from events where at >= '{{ data_interval_start }}' and at < '{{ data_interval_end }}'"
      incremental: { column: id }
    destination: { connection: out, table: events_copy }
`
const SLOW = `name: slow
tasks:
  talk:
    type: command
    command: echo first; touch talked.flag; sleep 4; echo second
`

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-observe-'))
  ws = join(dir, '.sluice')
  await mkdir(join(dir, 'pipelines/data'), { recursive: true })
  await writeFile(join(dir, 'pipelines/data/orders.csv'), 'id,amount\n1,10\n2,20\n3,30\n')
  await writeFile(join(dir, 'pipelines/shop.yaml'), SHOP)
  for (const [name, text] of Object.entries({
    'calc.yaml': CALC,
    'daily.yaml': DAILY,
    'flaky.yaml': FLAKY,
    'half.yaml': HALF,
    'inc.yaml': INCREMENTAL,
    'incwin.yaml': INC_WINDOW,
    'slow.yaml': SLOW,
  }))
    await writeFile(join(dir, name), text)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('sluice stats', () => {
  it('counts a succeeded and a failed run: success rate, states, durations, per task', async () => {
    expect((await sluice(['run', 'calc.yaml'])).code).toBe(0)
    expect((await sluice(['run', 'calc.yaml', '-p', 'ok=no'])).code).toBe(1)

    const r = await sluice(['stats', '--pipeline', 'calc', '--json'])
    expect(r.code).toBe(0)
    const [calc, ...others] = JSON.parse(r.out) as {
      pipeline: string
      runs: number
      succeeded: number
      failed: number
      cancelled: number
      active: number
      successRate: number
      lastState: string
      duration: { count: number; meanMs: number; p95Ms: number }
      tasks: { task: string; attempts: number; succeeded: number; failed: number }[]
    }[]
    expect(others).toEqual([])
    expect(calc).toMatchObject({
      pipeline: 'calc',
      runs: 2,
      succeeded: 1,
      failed: 1,
      cancelled: 0,
      active: 0,
      successRate: 0.5,
      lastState: 'FAILED',
    })
    expect(calc!.duration.count).toBe(2)
    // p95 of two durations (nearest rank) is the longer one, never below the mean
    expect(calc!.duration.p95Ms).toBeGreaterThanOrEqual(calc!.duration.meanMs)
    expect(calc!.tasks).toEqual([
      expect.objectContaining({ task: 'check', attempts: 2, succeeded: 1, failed: 1 }),
    ])

    const human = await sluice(['stats', '--pipeline', 'calc', '--since', '1h', '--tasks'])
    expect(human.code).toBe(0)
    const [header, row] = human.out.split('\n')
    expect(header).toMatch(/^PIPELINE\s+RUNS\s+SUCCESS\s+OK\s+FAILED\s+CANCELLED\s+ACTIVE\s+MEAN/)
    expect(row).toMatch(/^calc\s+2\s+50\.0%\s+1\s+1\s+0\s+0\s/)
    expect(human.out).toMatch(/\n {2}check\s+2\s+1\s+1\s+0\s/)
  })

  it('no runs of an unknown pipeline; a bad --since is a usage error', async () => {
    const none = await sluice(['stats', '--pipeline', 'nope', '--json'])
    expect(none.code).toBe(0)
    expect(JSON.parse(none.out)).toEqual([])
    const bad = await sluice(['stats', '--since', 'lately'])
    expect(bad.code).toBe(2)
    expect(bad.err).toContain('error E_USAGE --since lately is not a duration')
  })
})

describe('sluice lineage', () => {
  interface Walked {
    start: { id: string }
    upstream?: { id: string; depth: number; rows?: number }[]
    downstream?: { id: string; depth: number }[]
  }

  it('upstream of a load output reaches the extract source file, with the run’s row counts', async () => {
    expect((await sluice(['run', 'pipelines/shop.yaml'])).code).toBe(0)

    const r = await sluice(['lineage', 'out/clean.csv', '--upstream'])
    expect(r.code).toBe(0)
    expect(r.out.trim().split('\n')).toEqual([
      'upstream of file:out/clean.csv',
      'file:out/clean.csv (2 rows)',
      '└─ task shop.save [load]',
      '   └─ sluice:shop.clean (2 rows)',
      '      └─ task shop.clean [sql]',
      '         └─ sluice:shop.orders (3 rows)',
      '            └─ task shop.orders [extract]',
      '               └─ file:data/orders.csv',
    ])

    // a path relative to the current folder names the same file; --json lists nodes by depth
    const j = await sluice(['lineage', 'pipelines/out/clean.csv', '--upstream', '--json'])
    expect(j.code).toBe(0)
    const w = JSON.parse(j.out) as Walked
    expect(w.start.id).toBe('file:out/clean.csv')
    expect(w.downstream).toBeUndefined()
    expect(w.upstream!.map((n) => [n.depth, n.id])).toEqual([
      [1, 'task:shop.save'],
      [2, 'sluice:shop.clean'],
      [3, 'task:shop.clean'],
      [4, 'sluice:shop.orders'],
      [5, 'task:shop.orders'],
      [6, 'file:data/orders.csv'],
    ])
  })

  it('a task (pipeline.task) downstream, from a --file; both directions by default', async () => {
    const down = await sluice([
      'lineage',
      'shop.clean',
      '--downstream',
      '--file',
      'pipelines/shop.yaml',
      '--json',
    ])
    expect(down.code).toBe(0)
    const w = JSON.parse(down.out) as Walked
    expect(w.start.id).toBe('task:shop.clean')
    expect(w.downstream!.map((n) => n.id)).toEqual([
      'sluice:shop.clean',
      'task:shop.save',
      'file:out/clean.csv',
    ])
    const both = await sluice(['lineage', 'sluice:shop.orders'])
    expect(both.code).toBe(0)
    expect(both.out).toContain('upstream of sluice:shop.orders\nsluice:shop.orders (3 rows)\n')
    expect(both.out).toContain('downstream of sluice:shop.orders\n')
    // the source file has nothing upstream
    const src = await sluice(['lineage', 'data/orders.csv', '--upstream'])
    expect(src.out.trim().split('\n')).toEqual([
      'upstream of file:data/orders.csv',
      'file:data/orders.csv',
      '└─ (nothing upstream)',
    ])
  })

  it('an unknown ref, or both directions at once, is a usage error', async () => {
    const r = await sluice(['lineage', 'nowhere.csv'])
    expect(r.code).toBe(2)
    expect(r.err).toContain('error E_USAGE no dataset or task nowhere.csv')
    expect((await sluice(['lineage', 'shop.clean', '--upstream', '--downstream'])).code).toBe(2)
  })
})

describe('sluice logs --follow', () => {
  it('prints lines as the run writes them and exits 0 when the run ends', async () => {
    const runId = 'slow-follow-1'
    const bin = join(repoRoot, 'bin/sluice.js')
    const spawnCli = (args: string[]) =>
      spawn(process.execPath, [bin, '--workspace', ws, ...args], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    const run = spawnCli(['run', 'slow.yaml', '--run-id', runId])
    const runDone = new Promise<number | null>((r) => run.on('close', r))
    const t0 = Date.now()
    while (!existsSync(join(dir, 'talked.flag'))) {
      if (Date.now() - t0 > 20_000) throw new Error('the run never started')
      await new Promise((r) => setTimeout(r, 25))
    }
    const follow = spawnCli(['logs', runId, '--follow'])
    let out = ''
    const seen: Record<string, number> = {}
    follow.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      for (const word of ['first', 'second'])
        if (seen[word] === undefined && out.includes(word)) seen[word] = Date.now()
    })
    const code = await new Promise<number | null>((r) => follow.on('close', r))
    expect(await runDone).toBe(0)
    expect(code).toBe(0)
    const lines = out.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} talk#1 first$/)
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} talk#1 second$/)
    // streamed: the second line arrived about the sleep (4 s; the follower may take a second to start on a busy machine) after the first, not together
    expect(seen.second! - seen.first!).toBeGreaterThan(1000)

    // a finished run: everything at once, then exit 0
    const again = await sluice(['logs', runId, 'talk', '--follow'])
    expect(again.code).toBe(0)
    expect(again.out.trim().split('\n')).toHaveLength(2)
  })

  it('an unknown run exits 1 with E_STATE_NOT_FOUND', async () => {
    const r = await sluice(['logs', 'nope-1', '--follow'])
    expect(r.code).toBe(1)
    expect(r.err).toContain('error E_STATE_NOT_FOUND no run nope-1')
  })
})

// independent pipelines: these run side by side on one store
describe.concurrent('sluice backfill', { timeout: 60_000 }, () => {
  const interval = (d: number) => `2026-01-0${d}T00:00:00.000Z .. 2026-01-0${d + 1}T00:00:00.000Z`

  it('one run per day, each with its data interval, in one group; re-running reuses them', async () => {
    const args = ['backfill', 'daily.yaml', '--from', '2026-01-01', '--to', '2026-01-04', '-c', '2']
    const r = await sluice(args)
    expect(r.code).toBe(0)
    const group = /^backfill (backfill-daily-\w+): 3 interval\(s\) of daily, 2 at once$/m.exec(
      r.out,
    )?.[1]
    expect(group).toBeDefined()
    for (const d of [1, 2, 3])
      expect(r.out).toMatch(new RegExp(`^${interval(d)}  daily-\\S+  SUCCESS`, 'm'))
    expect(r.out).toContain(`backfill ${group}: 3/3 succeeded (0 kept from before, 0 resumed)`)

    const runs = await runsOf('daily')
    expect(runs).toHaveLength(3)
    expect(new Set(runs.map((x) => x.groupId))).toEqual(new Set([group]))
    expect(runs.every((x) => x.trigger === 'backfill' && x.state === 'SUCCESS')).toBe(true)
    expect(runs.map((x) => x.scheduledFor).sort()).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-03T00:00:00.000Z',
      '2026-01-04T00:00:00.000Z',
    ])
    // a run saw its own interval
    const mid = runs.find((x) => x.scheduledFor === '2026-01-03T00:00:00.000Z')!
    const logs = await sluice(['logs', mid.id])
    expect(logs.out).toMatch(
      / echo#1 interval 2026-01-02T00:00:00.000Z 2026-01-03T00:00:00.000Z\n$/,
    )

    const again = await sluice(args)
    expect(again.code).toBe(0)
    expect(again.out).toContain(`backfill ${group}: 3/3 succeeded (3 kept from before, 0 resumed)`)
    expect(again.out.match(/\(succeeded before, kept\)/g)).toHaveLength(3)
    expect((await runsOf('daily')).map((x) => x.id).sort()).toEqual(runs.map((x) => x.id).sort())
  })

  it('a failed interval is resumed in the same run; the succeeded ones are kept', async () => {
    const args = ['backfill', 'flaky.yaml', '--from', '2026-01-01', '--to', '2026-01-04']
    const first = await sluice(args)
    expect(first.code).toBe(1)
    expect(first.out).toMatch(new RegExp(`^${interval(2)}  (flaky-\\S+)  FAILED`, 'm'))
    const group = /--resume (backfill-flaky-\w+)/.exec(first.out)?.[1]
    expect(group).toBeDefined()
    const failed = (await runsOf('flaky')).find((x) => x.state === 'FAILED')!

    await writeFile(join(dir, 'fixed.flag'), '')
    const second = await sluice([...args, '--resume', group!, '--json'])
    expect(second.code).toBe(0)
    const events = second.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; runId?: string; how?: string; state?: string })
    expect(events.filter((e) => e.how === 'kept')).toHaveLength(2)
    expect(events.filter((e) => e.how === 'resumed')).toEqual([
      expect.objectContaining({ runId: failed.id, state: 'SUCCESS' }),
    ])
    expect(events.at(-1)).toMatchObject({
      event: 'backfill:result',
      groupId: group,
      succeeded: 3,
      kept: 2,
      resumed: 1,
      failed: 0,
    })
    const runs = await runsOf('flaky')
    expect(runs).toHaveLength(3)
    expect(runs.every((x) => x.state === 'SUCCESS')).toBe(true)
  })

  it('a schedule gives the intervals', async () => {
    const r = await sluice(['backfill', 'half.yaml', '--from', '2026-01-01', '--to', '2026-01-02'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('2026-01-01T00:00:00.000Z .. 2026-01-01T12:00:00.000Z')
    expect(r.out).toContain('2026-01-01T12:00:00.000Z .. 2026-01-02T00:00:00.000Z')
    expect((await runsOf('half')).map((x) => x.scheduledFor).sort()).toEqual([
      '2026-01-01T12:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
    ])
  })

  it('refuses a pipeline with an incremental extract unless --allow-incremental', async () => {
    const r = await sluice(['backfill', 'inc.yaml', '--from', '2026-01-01', '--to', '2026-01-03'])
    expect(r.code).toBe(2)
    expect(r.err).toContain('error E_USAGE pipeline inc has incremental extracts (rows)')
    expect(r.err).toContain('--allow-incremental')
    expect(await runsOf('inc')).toEqual([])
    // allowed: it runs (and fails here, as src.db has no table), after a warning
    const allowed = await sluice([
      'backfill',
      'inc.yaml',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-02',
      '--allow-incremental',
    ])
    expect(allowed.err).toContain('warning: --allow-incremental')
    expect(allowed.code).toBe(1)
    expect(allowed.out).toMatch(
      /^2026-01-01T00:00:00.000Z .. 2026-01-02T00:00:00.000Z {2}inc-\S+ {2}FAILED/m,
    )
  })

  it('an incremental extract that selects by data interval reads each interval and leaves the watermark alone', async () => {
    const db = new Database(join(dir, 'src.db'))
    db.exec('create table events (id integer primary key, at text)')
    const at = [
      '2026-01-01T06:00:00Z',
      '2026-01-01T18:00:00Z',
      '2026-01-02T06:00:00Z',
      '2030-01-01T00:00:00Z',
    ]
    at.forEach((t, i) => db.prepare('insert into events values (?, ?)').run(i + 1, t))
    db.close()
    const r = await sluice([
      'backfill',
      'incwin.yaml',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-03',
    ])
    expect(r.code, r.err).toBe(0)
    expect(r.err).toContain(
      'note: rows read each backfill interval without the incremental watermark',
    )
    const out = new Database(join(dir, 'out.db'), { readonly: true })
    try {
      const ids = out.prepare('select id from events_copy order by id').pluck().all()
      expect(ids).toEqual([1, 2, 3])
      const state = out
        .prepare(`select name from sqlite_master where name = '_sluice_state'`)
        .pluck()
        .all()
      const marks = state.length > 0 ? out.prepare('select key from _sluice_state').all() : []
      expect(marks).toEqual([])
    } finally {
      out.close()
    }
  })

  it('usage errors: no range, a reversed range', async () => {
    const none = await sluice(['backfill', 'daily.yaml', '--to', '2026-01-03'])
    expect(none.code).toBe(2)
    expect(none.err).toContain('error E_USAGE a backfill needs --from and --to')
    const bad = await sluice(['backfill', 'daily.yaml', '--from', 'someday', '--to', '2026-01-03'])
    expect(bad.code).toBe(2)
    expect(bad.err).toContain('error E_USAGE --from someday is not a date')
    const reversed = await sluice([
      'backfill',
      'daily.yaml',
      '--from',
      '2026-01-05',
      '--to',
      '2026-01-03',
    ])
    expect(reversed.code).toBe(1)
    expect(reversed.err).toContain('E_BACKFILL_RANGE')
  })
})
