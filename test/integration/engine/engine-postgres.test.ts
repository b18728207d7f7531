import { describe, expect, it } from 'vitest'
import { runPipeline } from '../../../src/engine/run-pipeline.js'
import { PostgresStateStore } from '../../../src/state/postgres/postgres-state-store.js'
import { compileYaml, scriptedExecutor } from '../../helpers/engine-harness.js'
import { useTestDatabase } from '../../helpers/pg-test-database.js'

// The engine against the real PostgreSQL state store (DESIGN.md §8): fails, never skips, without it.
const db = useTestDatabase('sluice_engine')

describe('engine on PostgreSQL state', () => {
  it('runs 200 tasks with concurrency, then resumes a failure without re-running successes', async () => {
    const store = await PostgresStateStore.open({ url: db.url(), max: 8 })
    try {
      const lines = ['name: wide', 'tasks:', '  root: { type: noop }']
      for (let i = 0; i < 200; i++)
        lines.push(`  w${i}: { type: function, module: x.ts, depends_on: [root], retries: 1 }`)
      lines.push(
        `  sink: { type: noop, depends_on: [${Array.from({ length: 200 }, (_, i) => `w${i}`).join(', ')}] }`,
      )
      const yaml = lines.join('\n') + '\n'
      let broken = true
      const ex = scriptedExecutor({
        w7: () => {
          if (broken) throw new Error('w7 is down')
        },
      })
      const first = await runPipeline(compileYaml(yaml, 'pg-1'), {
        store,
        runId: 'pg-1',
        executors: { function: ex },
        concurrency: 8,
      })
      expect(first.state).toBe('FAILED')
      expect(first.tasks.sink!.state).toBe('SKIPPED')
      broken = false
      const second = await runPipeline(compileYaml(yaml, 'pg-1'), {
        store,
        runId: 'pg-1',
        resume: true,
        executors: { function: ex },
        concurrency: 8,
      })
      expect(second.state).toBe('SUCCESS')
      expect(ex.calls.w7).toBe(2)
      expect(ex.calls.w0).toBe(1)
      const tasks = await store.listTasks('pg-1')
      expect(tasks.filter((t) => t.state === 'SUCCESS')).toHaveLength(202)
      expect((await store.listDeadLetters()).map((d) => d.taskId)).toEqual(['w7'])
    } finally {
      await store.close()
    }
  })
})
