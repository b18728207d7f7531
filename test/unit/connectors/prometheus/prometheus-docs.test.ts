import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { prometheusConnectionOptions } from '../../../../src/connectors/prometheus/prometheus-connection-options.js'
import { prometheusSourceSchema } from '../../../../src/core/spec/prometheus-io-schema.js'
import { incrementalSchema } from '../../../../src/core/spec/io-schema.js'

describe('docs/connectors/prometheus.md', () => {
  it('every YAML example is valid under the connection and source schemas', async () => {
    const doc = await readFile(
      join(import.meta.dirname, '../../../../docs/connectors/prometheus.md'),
      'utf8',
    )
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map(
      (m) => parse(m[1]!) as Record<string, unknown>,
    )
    let sources = 0
    for (const b of blocks) {
      const conns = (b.connections ?? {}) as Record<string, Record<string, unknown>>
      for (const { url: _u, type: _t, ...options } of Object.values(conns))
        expect(prometheusConnectionOptions.safeParse(options).error).toBeUndefined()
      const tasks = (b.tasks ?? {}) as Record<string, { source: Record<string, unknown> }>
      for (const t of Object.values(tasks)) {
        sources++
        expect(prometheusSourceSchema.safeParse(t.source.prometheus).error).toBeUndefined()
        if (t.source.incremental)
          expect(incrementalSchema.safeParse(t.source.incremental).error).toBeUndefined()
      }
    }
    expect(sources).toBe(5)
  })
})
