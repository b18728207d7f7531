import { mkdtempSync, rmSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  fileTrigger,
  type FileArrival,
  type FileTrigger,
} from '../../../src/scheduler/file-trigger.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(cond: () => boolean, ms = 3000): Promise<number> {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out')
    await sleep(10)
  }
  return Date.now() - t0
}

describe('fileTrigger', () => {
  let dir: string
  let trigger: FileTrigger | undefined
  let got: FileArrival[]

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-ft-'))
    got = []
  })
  afterEach(() => {
    trigger?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const start = (extra: { pattern?: string; claim?: (k: string) => Promise<boolean> } = {}) => {
    trigger = fileTrigger({
      dir,
      onFile: (f) => void got.push(f),
      includeExisting: false,
      ...extra,
    })
    return trigger.ready
  }

  it('fires once per file within 1 s of it landing, matching the pattern only', async () => {
    await start({ pattern: '*.csv' })
    writeFileSync(join(dir, 'a.csv'), 'id\n1\n')
    writeFileSync(join(dir, 'skip.txt'), 'x')
    writeFileSync(join(dir, '.hidden.csv'), 'x')
    const waited = await until(() => got.length === 1)
    expect(waited).toBeLessThan(1000)
    await sleep(1300) // a poll and several rescans later: still once
    expect(got.map((f) => [f.path, f.size])).toEqual([[join(dir, 'a.csv'), 5]]) // 'id\n1\n'
    expect(got[0]!.dedupeKey).toBe(`${join(dir, 'a.csv')}:${got[0]!.mtimeMs}:5`)
  })

  it('waits for a growing file to stop changing', async () => {
    await start({ pattern: 'big-*' })
    const p = join(dir, 'big-1')
    writeFileSync(p, 'a')
    for (let i = 0; i < 6; i++) {
      await sleep(80)
      appendFileSync(p, 'more')
    }
    expect(got).toEqual([]) // still being written (80 ms < 200 ms stable time)
    await until(() => got.length === 1)
    expect(got[0]!.size).toBe(25)
  })

  it('fires again for the same path with a new mtime or size, not for an unchanged one', async () => {
    const p = join(dir, 'f.csv')
    await start()
    writeFileSync(p, 'v1')
    await until(() => got.length === 1)
    utimesSync(p, new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'))
    await until(() => got.length === 2)
    expect(got[1]!.mtimeMs).toBe(Date.parse('2030-01-01T00:00:00Z'))
    await sleep(500)
    expect(got).toHaveLength(2)
  })

  it('skips files another process claimed (cross-process dedupe)', async () => {
    const claimed = new Set<string>()
    const claims: string[] = []
    const claim = (k: string) => {
      claims.push(k)
      const first = !claimed.has(k)
      claimed.add(k)
      return Promise.resolve(first)
    }
    writeFileSync(join(dir, 'x.csv'), 'x')
    // another watcher got it first
    claimed.add(
      `${join(dir, 'x.csv')}:${(await import('node:fs')).statSync(join(dir, 'x.csv')).mtimeMs}:1`,
    )
    trigger = fileTrigger({ dir, onFile: (f) => void got.push(f), claim })
    await trigger.ready
    await until(() => claims.length === 1)
    writeFileSync(join(dir, 'y.csv'), 'yy')
    await until(() => got.length === 1)
    expect(got.map((f) => f.path)).toEqual([join(dir, 'y.csv')])
  })

  it('ignores files that were there before start when includeExisting is false', async () => {
    writeFileSync(join(dir, 'old.csv'), 'x')
    await start()
    await sleep(600)
    expect(got).toEqual([])
  })
})
