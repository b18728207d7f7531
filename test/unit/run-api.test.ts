import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DefinitionError, definePipeline, run, RunEvents } from '../../src/index.js'

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
})
