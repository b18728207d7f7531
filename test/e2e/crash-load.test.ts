import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../helpers/pg-test-database.js'
import { repoRoot, sluiceCli } from '../helpers/sluice-cli.js'

// DESIGN.md §5: a kill at any point of an incremental load, followed by resume, leaves no
// duplicate and no missing row. 20 trials, each killed after a random delay.
const pg = useTestDatabase('sluice_crash')
const TRIALS = 20
let ws: string

beforeAll(async () => {
  await pg.sql(
    'create table src (id bigint primary key, at timestamptz not null, body text not null)',
  )
  ws = await mkdtemp(join(tmpdir(), 'sluice-crash-'))
  await writeFile(
    join(ws, 'copy.yaml'),
    `name: crash_copy
connections: { wh: "${pg.url()}" }
tasks:
  copy:
    type: extract
    source: { connection: wh, table: src, incremental: { column: at }, keys: [id], batch_size: 5000 }
    destination: { connection: wh, table: dst, mode: append }
`,
  )
}, 60_000)
afterAll(async () => {
  await rm(ws, { recursive: true, force: true })
})

/** The state of the newest run in the workspace's SQLite store, read directly (cheap to poll). */
function newestRunState(): string | undefined {
  try {
    const db = new Database(join(ws, 'state.db'), { readonly: true, fileMustExist: true })
    try {
      const row = db.prepare('select state from runs order by created_at desc limit 1').get() as
        { state: string } | undefined
      return row?.state
    } finally {
      db.close()
    }
  } catch {
    return undefined
  }
}

/** Starts `sluice run`, waits until a new run is RUNNING, then kills it after `delayMs`. */
function runAndKill(delayMs: number, runsBefore: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin/sluice.js'), '--workspace', ws, 'run', join(ws, 'copy.yaml')],
      {
        cwd: repoRoot,
        stdio: 'ignore',
      },
    )
    const poll = setInterval(() => {
      if (runCount() > runsBefore && newestRunState() === 'RUNNING') {
        clearInterval(poll)
        setTimeout(() => child.kill('SIGKILL'), delayMs)
      }
    }, 5)
    child.on('close', () => {
      clearInterval(poll)
      resolve()
    })
  })
}

function runCount(): number {
  try {
    const db = new Database(join(ws, 'state.db'), { readonly: true, fileMustExist: true })
    try {
      return (db.prepare('select count(*) as n from runs').get() as { n: number }).n
    } finally {
      db.close()
    }
  } catch {
    return 0
  }
}

describe('crash safety of incremental loads', () => {
  it(`SIGKILL at random points, ${TRIALS} times, then resume: destination equals source`, async () => {
    let next = 1
    const stats = { killedMidway: 0 }
    for (let trial = 0; trial < TRIALS; trial++) {
      // new rows each trial, some sharing the newest timestamp already loaded
      const rows = 100_000
      await pg.sql(
        `insert into src select g, timestamptz '2026-01-01' + (g / 1000) * interval '1 second', repeat('x', 40) || g
         from generate_series($1::bigint, $2::bigint) g`,
        [next, next + rows - 1],
      )
      next += rows
      await runAndKill(Math.floor(Math.random() * 400), runCount())
      const runs = JSON.parse(
        (await sluiceCli(['runs', '--json', '-n', '1'], { workspace: ws })).out,
      ) as { state: string }[]
      if (runs[0] !== undefined && runs[0].state !== 'SUCCESS') stats.killedMidway++
      // what a user does after a crash: resume the unfinished run, or start one if none was created
      const again = await sluiceCli(['run', join(ws, 'copy.yaml'), '--resume-latest'], {
        workspace: ws,
      })
      expect(again.code, again.err).toBe(0)
      const diff = await pg.sql(
        `select (select count(*) from src)::int as src, (select count(*) from dst)::int as dst,
                (select count(*) from (select id from dst group by id having count(*) > 1) d)::int as dups,
                (select count(*) from (select * from src except select * from dst) m)::int as missing`,
      )
      expect(diff[0], `trial ${trial}`).toEqual({
        src: next - 1,
        dst: next - 1,
        dups: 0,
        missing: 0,
      })
    }
    console.log(
      `crash test: ${stats.killedMidway}/${TRIALS} kills landed while the load was running`,
    )
    // the kills must really land mid-run most of the time, or the test proves nothing
    expect(stats.killedMidway).toBeGreaterThanOrEqual(TRIALS / 2)
  }, 600_000)
})
