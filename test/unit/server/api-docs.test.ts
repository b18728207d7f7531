import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createApi } from '../../../src/server/create-api.js'
import type { StateStore } from '../../../src/state/state-store.js'
import { fakeControl } from './fake-control.js'

describe('docs/api.md', () => {
  it('lists every route the app registers, in its route table and with a section', async () => {
    const doc = await readFile(join(import.meta.dirname, '../../../docs/api.md'), 'utf8')
    const app = createApi({ store: {} as StateStore, control: fakeControl(), version: 'x' })
    const routes = app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`)
    expect(routes.length).toBe(39)
    const missingRow = routes.filter((r) => {
      const [method, path] = r.split(' ')
      return !doc.includes(`| ${method} | \`${path}\` |`)
    })
    const missingSection = routes.filter(
      (r) => !new RegExp(`^### .*${escape(r)}( |$)`, 'm').test(doc),
    )
    expect({ missingRow, missingSection }).toEqual({ missingRow: [], missingSection: [] })
  })
})

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
