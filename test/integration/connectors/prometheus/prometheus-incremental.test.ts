import Database from 'better-sqlite3'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { definePipeline, run } from '../../../../src/index.js'
import { HISTORY_FROM, HISTORY_TO, readSource, usePrometheus } from './prom-test-server.js'

const { server } = usePrometheus()
const iso = (s: number) => new Date(s * 1000).toISOString()
const MID = HISTORY_TO - 3600

const source = (end: number, lookback?: string) => ({
  prometheus: { query: 'sluice_test_gauge{host="a"}', start: HISTORY_FROM + 30, end, step: '1m' },
  incremental: { column: 'timestamp', ...(lookback && { lookback }) },
})

describe('prometheus incremental reads (real Prometheus 2.42)', () => {
  it('aligns the first read to step and ends the watermark at the newest sample', async () => {
    const r = await readSource(server().url, source(MID, '5m'))
    expect(r.rows[0]![0]).toBe(iso(HISTORY_FROM + 60))
    expect(r.rows.at(-1)![0]).toBe(iso(MID))
    expect(r.watermark).toBe(iso(MID))
  })

  it('starts the next read at the watermark minus lookback, aligned to step', async () => {
    const r = await readSource(server().url, source(HISTORY_TO, '5m'), { since: iso(MID) })
    expect(r.rows[0]![0]).toBe(iso(MID - 300))
    expect(r.rows.length).toBe(5 + 60 + 1)
    expect(r.watermark).toBe(iso(HISTORY_TO))
    // a watermark between two steps: the first time at or after since - lookback
    const odd = await readSource(server().url, source(HISTORY_TO, '5m'), { since: iso(MID + 10) })
    expect(odd.rows[0]![0]).toBe(iso(MID - 240))
  })

  it('without lookback starts one step after the watermark (no sample twice)', async () => {
    const r = await readSource(server().url, source(HISTORY_TO), { since: iso(MID) })
    expect(r.rows[0]![0]).toBe(iso(MID + 60))
    expect(r.rows.length).toBe(60)
  })

  it('keeps the watermark when nothing new is read, and uses incremental.initial first', async () => {
    const r = await readSource(server().url, source(MID, '5m'), { since: iso(HISTORY_TO) })
    expect(r.rows).toEqual([])
    expect(r.watermark).toBe(iso(HISTORY_TO))
    const initial = await readSource(server().url, {
      prometheus: { query: 'sluice_test_gauge{host="a"}', end: HISTORY_FROM + 600, step: '1m' },
      incremental: { column: 'timestamp', initial: iso(HISTORY_FROM + 300) },
    })
    expect(initial.rows.map((x) => x[0])).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => iso(HISTORY_FROM + 300 + 60 * i)),
    )
  })

  it('runs as a pipeline: two incremental runs merge into SQLite with the watermark committed', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'sluice-prom-'))
    try {
      const pipeline = (end: number) =>
        definePipeline({
          name: 'prom_incremental',
          connections: {
            prom: { type: 'prometheus', url: server().url, timeout: '30s' },
            db: `sqlite:${join(ws, 'out.db')}`,
          },
          tasks: {
            samples: {
              type: 'extract',
              source: {
                connection: 'prom',
                prometheus: {
                  query: 'sluice_test_gauge',
                  start: iso(HISTORY_FROM),
                  end: iso(end),
                  step: '1m',
                },
                incremental: { column: 'timestamp', lookback: '5m' },
              },
              destination: {
                connection: 'db',
                table: 'samples',
                mode: 'merge',
                keys: ['timestamp', 'metric', 'host'],
              },
            },
          },
        })
      const first = await run(pipeline(MID), { workspace: ws })
      expect(first.state).toBe('SUCCESS')
      const second = await run(pipeline(HISTORY_TO), { workspace: ws })
      expect(second.state).toBe('SUCCESS')
      const db = new Database(join(ws, 'out.db'), { readonly: true })
      try {
        const rows = db
          .prepare(
            'SELECT host, count(*) AS n, min(timestamp) AS lo, max(timestamp) AS hi FROM samples GROUP BY host ORDER BY host',
          )
          .all()
        expect(rows).toEqual([
          { host: 'a', n: 181, lo: iso(HISTORY_FROM), hi: iso(HISTORY_TO) },
          { host: 'b', n: 181, lo: iso(HISTORY_FROM), hi: iso(HISTORY_TO) },
        ])
        const wm = db.prepare('SELECT * FROM _sluice_state').all() as Record<string, unknown>[]
        expect(JSON.stringify(wm)).toContain(iso(HISTORY_TO))
      } finally {
        db.close()
      }
    } finally {
      await rm(ws, { recursive: true, force: true })
    }
  })
})
