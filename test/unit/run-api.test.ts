import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DefinitionError, definePipeline, run, RunEvents, type Row } from '../../src/index.js'

describe('the run() API', () => {
  it('runs a definePipeline spec into a workspace and returns a typed result with events', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'sluice-api-'))
    try {
      const seen: string[] = []
      const events = new RunEvents().on('task:state', (e) => seen.push(`${e.taskId}:${e.to}`))
      const result = await run(
        definePipeline({
          name: 'api_demo',
          params: { who: 'world' },
          tasks: {
            greet: { type: 'command', command: 'echo hello {{ params.who }}' },
            after: { type: 'noop', depends_on: ['greet'] },
          },
        }),
        { workspace: ws, params: { who: 'sluice' }, events },
      )
      expect(result.state).toBe('SUCCESS')
      expect(result.runId).toMatch(/^api_demo-\d{8}T\d{6}-[a-z0-9]{4}$/)
      expect(seen).toEqual([
        'greet:QUEUED',
        'greet:RUNNING',
        'greet:SUCCESS',
        'after:QUEUED',
        'after:RUNNING',
        'after:SUCCESS',
      ])
    } finally {
      await rm(ws, { recursive: true, force: true })
    }
  })

  it('rejects an invalid pipeline with a DefinitionError listing every issue', async () => {
    const bad = definePipeline({
      name: 'Bad Name',
      tasks: { a: { type: 'noop', depends_on: ['b'] } },
    })
    await expect(run(bad, { workspace: '/nonexistent' })).rejects.toBeInstanceOf(DefinitionError)
    const err = (await run(bad).catch((e: unknown) => e)) as DefinitionError
    expect(err.issues.map((i) => i.code).sort()).toEqual(['E_DEP_MISSING', 'E_SCHEMA_VALUE'])
  })

  it('a TS pipeline passes transform functions directly, type-checked; thrown records are quarantined', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'sluice-api-inline-'))
    try {
      await writeFile(join(ws, 'in.csv'), 'id,price\n1,10\n2,20\n3,-1\n4,40\n')
      const result = await run(
        definePipeline({
          name: 'inline_fn',
          tasks: {
            items: { type: 'extract', source: { path: join(ws, 'in.csv') } },
            priced: {
              type: 'transform',
              depends_on: ['items'],
              on_error: 'quarantine',
              map: (row: Row) => {
                if (Number(row.price) < 0) throw new Error(`negative price in ${String(row.id)}`)
                return { id: row.id, gross: Number(row.price) * 1.19 }
              },
            },
            totals: {
              type: 'transform',
              depends_on: ['priced'],
              transform: (rows: Row[]) => [
                { n: rows.length, gross: rows.reduce((a, r) => a + Number(r.gross), 0) },
              ],
            },
          },
        }),
        { workspace: ws },
      )
      expect(result.state, JSON.stringify(result.tasks)).toBe('SUCCESS')
      expect(result.tasks.priced?.outputs).toMatchObject({ rows: 3, rejected: 1 })
      expect(result.tasks.totals?.outputs).toMatchObject({
        rows: 1,
        schema: ['n float64', 'gross float64'],
      })
    } finally {
      await rm(ws, { recursive: true, force: true })
    }
  })

  it('a function anywhere else in a spec is still an error', async () => {
    const spec = definePipeline({
      name: 'fn_elsewhere',
      tasks: { a: { type: 'noop', description: (() => 'x') as unknown as string } },
    })
    const err = (await run(spec, { workspace: tmpdir() }).catch(
      (e: unknown) => e,
    )) as DefinitionError
    expect(err.issues.map((x) => x.message)).toEqual([
      'tasks.a.description is a function; a pipeline spec holds only JSON-like data',
    ])
  })
})
