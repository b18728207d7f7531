import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { STATE_COLORS } from '../../src/core/render/graph-view.js'
import { sluiceCli } from '../helpers/sluice-cli.js'

let ws: string
const sluice = (args: string[]) => sluiceCli(args, { workspace: ws })

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'sluice-examples-'))
})
afterAll(async () => {
  await rm(ws, { recursive: true, force: true })
})

describe('examples run as the README says', () => {
  it('examples/hello runs to SUCCESS and its graph shows the states', async () => {
    const r = await sluice(['run', 'examples/hello/pipeline.yaml'])
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/run hello-\S+ SUCCESS in .* \(4 success\)/)
    const runId = /run (hello-\S+) SUCCESS/.exec(r.out)![1]!
    const logs = await sluice(['logs', runId, 'report'])
    expect(logs.out).toContain('FI: 99.90')
    const svg = await sluice([
      'graph',
      'examples/hello/pipeline.yaml',
      '--run',
      runId,
      '--format',
      'svg',
    ])
    expect(svg.out.split(STATE_COLORS.SUCCESS.fill).length - 1).toBeGreaterThanOrEqual(4)
    const shown = JSON.parse((await sluice(['show', runId, '--json'])).out) as {
      tasks: { taskId: string; attempts: { rowsOut: number | null }[] }[]
    }
    expect(shown.tasks.find((t) => t.taskId === 'totals')!.attempts[0]!.rowsOut).toBe(3)
  })

  it('a failing run exits 1, lands in the dead-letter queue, and prune keeps recent runs', async () => {
    const bad = join(ws, 'bad.yaml')
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(
        bad,
        'name: bad\ntasks:\n  boom: { type: command, command: "echo nope >&2; exit 3", retries: 1 }\n',
      ),
    )
    const r = await sluice(['run', bad])
    expect(r.code).toBe(1)
    expect(r.err).toContain('error E_COMMAND_FAILED task boom: command exited with code 3: nope')
    const dlq = await sluice(['dlq', 'list', '--json'])
    const items = JSON.parse(dlq.out) as { id: number; taskId: string }[]
    expect(items.map((d) => d.taskId)).toContain('boom')
    const again = await sluice(['run', bad, '--resume-latest'])
    expect(again.code).toBe(1)
    expect(again.err).toMatch(/resuming bad-\S+ \(the latest unfinished run of bad\)/)
    const runs = JSON.parse(
      (await sluice(['runs', '--pipeline', 'bad', '--json'])).out,
    ) as unknown[]
    expect(runs).toHaveLength(1) // resumed in place, not a new run
    const pruned = await sluice(['prune', '--older-than', '1d'])
    expect(pruned.out).toContain('pruned 0 run(s)')
    const purge = await sluice(['dlq', 'purge', '--all'])
    expect(purge.out).toMatch(/purged [1-9]\d* dead letter/)
  })

  it('prune removes finished runs with their datasets', async () => {
    const { writeFile, readdir } = await import('node:fs/promises')
    await writeFile(join(ws, 'nums.csv'), 'n\n1\n2\n3\n')
    await writeFile(
      join(ws, 'nums.yaml'),
      'name: nums\ntasks:\n  nums: { type: extract, source: { path: nums.csv } }\n  out: { type: load, depends_on: [nums], destination: { path: out.jsonl, mode: replace } }\n',
    )
    const r = await sluice(['run', join(ws, 'nums.yaml')])
    expect(r.code, r.err).toBe(0)
    expect((await readdir(join(ws, 'datasets'))).length).toBeGreaterThan(0)
    const pruned = await sluice(['prune', '--older-than', '0s', '--json'])
    const [result] = JSON.parse(pruned.out) as { runs: number; datasets: number }[]
    expect(result!.runs).toBeGreaterThanOrEqual(1)
    expect(result!.datasets).toBe(result!.runs)
    expect(await readdir(join(ws, 'datasets'))).toEqual([])
    expect(JSON.parse((await sluice(['runs', '--json'])).out)).toEqual([])
  })

  it('on_error: quarantine loads the good rows and keeps the bad ones with file, line and reason', async () => {
    const { writeFile, readFile } = await import('node:fs/promises')
    const good = Array.from({ length: 20 }, (_, i) => `${i + 1},item ${i + 1},${i + 0.5}`)
    good.splice(5, 0, '6x,broken,"unterminated')
    good.splice(12, 0, '13x,too,many,columns,here')
    await writeFile(join(ws, 'dirty.csv'), `id,name,price\n${good.join('\n')}\n`)
    await writeFile(
      join(ws, 'dirty.yaml'),
      'name: dirty\ntasks:\n  items: { type: extract, source: { path: dirty.csv, on_error: quarantine, columns: { id: int64, name: string, price: float64 } } }\n' +
        '  out: { type: load, depends_on: [items], destination: { path: clean.jsonl, mode: replace } }\n',
    )
    const r = await sluice(['run', join(ws, 'dirty.yaml')])
    expect(r.code, r.err + r.out).toBe(0)
    const runId = /run (dirty-\S+) SUCCESS/.exec(r.out)![1]!
    const lines = (await readFile(join(ws, 'clean.jsonl'), 'utf8')).trim().split('\n')
    expect(lines).toHaveLength(20)
    const rejects = JSON.parse((await sluice(['rejects', runId, 'items', '--json'])).out) as {
      file: string
      line: number
      reason: string
    }[]
    expect(rejects.map((x) => x.line).sort((a, b) => a - b)).toEqual([7, 14])
    for (const x of rejects) {
      expect(x.file).toContain('dirty.csv')
      expect(x.reason.length).toBeGreaterThan(0)
    }
    const text = (await sluice(['rejects', runId, 'items'])).out
    expect(text).toMatch(/dirty\.csv:7 /)
  })
})
