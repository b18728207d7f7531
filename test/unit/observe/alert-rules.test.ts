import { describe, expect, it } from 'vitest'
import { SluiceError } from '../../../src/core/sluice-error.js'
import { evaluateAlertRules, parseAlertConfig } from '../../../src/observe/alert-rules.js'

const cfg = parseAlertConfig({
  channels: { ops: { type: 'webhook', url: 'https://example.com/hook' } },
  quiet_period: '30m',
  rules: [
    { name: 'fail', on: 'run_failed', pipeline: 'orders*', channels: ['ops'] },
    { name: 'exhausted', on: 'retries_exhausted', severity: 'critical', channels: ['ops'] },
    { name: 'slow', on: 'sla', sla: '10m', channels: ['ops'], quiet_period: '2h' },
    { name: 'slow_load', on: 'sla', sla: '1m', task: 'load', channels: ['ops'] },
    { name: 'late', on: 'schedule_late', channels: ['ops'] },
    { name: 'fresh', on: 'freshness', max_age: '1d', dataset: 'dw.*', channels: ['ops'] },
    { name: 'dq', on: 'check_failed', channels: ['ops'] },
  ],
})
const at = '2026-01-01T12:00:00.000Z'
const keys = (s: Parameters<typeof evaluateAlertRules>[1]) => {
  const r = evaluateAlertRules(cfg.rules, s)
  return { incidents: r.incidents.map((i) => `${i.key} ${i.severity}`), resolved: r.resolved }
}

describe('parseAlertConfig', () => {
  it('fills defaults: severities by kind, quiet period from the config, grace 5m', () => {
    expect(cfg.rules.map((r) => [r.name, r.severity, r.quietPeriodMs])).toEqual([
      ['fail', 'high', 1_800_000],
      ['exhausted', 'critical', 1_800_000],
      ['slow', 'medium', 7_200_000],
      ['slow_load', 'medium', 1_800_000],
      ['late', 'medium', 1_800_000],
      ['fresh', 'high', 1_800_000],
      ['dq', 'high', 1_800_000],
    ])
    expect(cfg.rules[2]!.slaMs).toBe(600_000)
    expect(cfg.rules[4]!.graceMs).toBe(300_000)
  })

  it('reports every problem at once with E_SCHEMA_VALUE', () => {
    let err: unknown
    try {
      parseAlertConfig({
        channels: { ops: { type: 'webhook', url: 'https://x' } },
        rules: [
          { name: 'a', on: 'sla', channels: ['pager'] },
          { name: 'b', on: 'freshness', channels: ['ops'] },
        ],
      })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SluiceError)
    expect((err as SluiceError).code).toBe('E_SCHEMA_VALUE')
    expect((err as SluiceError).message).toBe(
      'invalid alert configuration: alerts.rules.0.channels: no channel named "pager" under alerts.channels; alerts.rules.0: on: sla needs sla:; alerts.rules.1: on: freshness needs max_age:',
    )
    expect(() =>
      parseAlertConfig({ channels: {}, rules: [{ name: 'x', on: 'nope', channels: ['a'] }] }),
    ).toThrow(/alerts\.rules\.0\.on/)
    expect(() =>
      parseAlertConfig({ channels: { c: { type: 'slack', url: 'not a url' } }, rules: [] }),
    ).toThrow(/alerts\.channels\.c\.url/)
  })
})

describe('evaluateAlertRules', () => {
  it('run failure raises for matching pipelines; success resolves', () => {
    expect(
      keys({ kind: 'run', pipeline: 'orders_daily', runId: 'r', state: 'FAILED', at }),
    ).toEqual({
      incidents: ['fail|orders_daily high'],
      resolved: [],
    })
    expect(
      keys({ kind: 'run', pipeline: 'billing', runId: 'r', state: 'FAILED', at }).incidents,
    ).toEqual([])
    expect(keys({ kind: 'run', pipeline: 'orders', runId: 'r', state: 'CANCELLED', at })).toEqual({
      incidents: [],
      resolved: [],
    })
    expect(
      keys({ kind: 'run', pipeline: 'orders', runId: 'r', state: 'SUCCESS', at, durationMs: 1000 }),
    ).toEqual({
      incidents: [],
      resolved: ['fail|orders', 'slow|orders'],
    })
  })

  it('retries exhausted: FAILED at the last attempt or dead-lettered, not a first non-final failure', () => {
    const task = {
      kind: 'task',
      pipeline: 'p',
      runId: 'r',
      task: 'load',
      state: 'FAILED',
      at,
    } as const
    expect(keys({ ...task, attempt: 2, maxAttempts: 3 }).incidents).toEqual([
      'exhausted|p|load critical',
    ])
    expect(keys({ ...task, attempt: 0, maxAttempts: 3 }).incidents).toEqual([])
    expect(keys({ ...task, attempt: 0, deadLettered: true }).incidents).toEqual([
      'exhausted|p|load critical',
    ])
    expect(keys({ ...task, attempt: 0 }).incidents).toEqual([])
    const one = evaluateAlertRules(cfg.rules, {
      ...task,
      attempt: 0,
      maxAttempts: 1,
      error: { code: 'E_Y', message: 'no' },
    })
    expect(one.incidents[0]).toMatchObject({
      title: 'Task p.load failed after 1 attempt',
      message: 'Run r: E_Y no.',
      runId: 'r',
      task: 'load',
      at,
      details: { attempts: 1, max_attempts: 1, dead_lettered: false, error_code: 'E_Y' },
    })
  })

  it('SLA: a running run over its SLA alerts; exactly at the SLA does not; task rules watch tasks', () => {
    const run = { kind: 'run', pipeline: 'p', runId: 'r', state: 'RUNNING', at } as const
    expect(keys({ ...run, startedAt: '2026-01-01T11:49:59.000Z' }).incidents).toEqual([
      'slow|p medium',
    ])
    expect(keys({ ...run, startedAt: '2026-01-01T11:50:00.000Z' }).incidents).toEqual([])
    const slow = evaluateAlertRules(cfg.rules, { ...run, startedAt: '2026-01-01T11:30:00.000Z' })
    expect(slow.incidents[0]!.message).toBe('Run r has been running for 30m; the SLA is 10m.')
    const task = { kind: 'task', pipeline: 'p', runId: 'r', task: 'load', attempt: 0, at } as const
    expect(keys({ ...task, state: 'SUCCESS', durationMs: 61_000 }).incidents).toEqual([
      'slow_load|p|load medium',
    ])
    expect(keys({ ...task, state: 'SUCCESS', durationMs: 60_000 })).toEqual({
      incidents: [],
      resolved: ['exhausted|p|load', 'slow_load|p|load'],
    })
    expect(
      keys({ ...task, task: 'other', state: 'SUCCESS', durationMs: 99_000_000 }).incidents,
    ).toEqual([])
  })

  it('schedule late: beyond grace while not started, or started late; on time resolves', () => {
    const s = { kind: 'schedule', pipeline: 'p', dueAt: '2026-01-01T11:50:00.000Z', at } as const
    expect(keys({ ...s, startedAt: null }).incidents).toEqual(['late|p medium'])
    expect(keys({ ...s, startedAt: '2026-01-01T11:55:00.000Z' })).toEqual({
      incidents: [],
      resolved: ['late|p'],
    })
    expect(keys({ ...s, startedAt: '2026-01-01T11:55:01.000Z' }).incidents).toEqual([
      'late|p medium',
    ])
    expect(keys({ ...s, dueAt: '2026-01-01T11:58:00.000Z', startedAt: null })).toEqual({
      incidents: [],
      resolved: [],
    })
  })

  it('freshness: older than max_age or empty raises; fresh resolves; other datasets ignored', () => {
    const f = { kind: 'freshness', pipeline: 'p', dataset: 'dw.orders', at } as const
    expect(keys({ ...f, newest: '2025-12-31T11:59:59.000Z' }).incidents).toEqual([
      'fresh|p|dw.orders high',
    ])
    expect(keys({ ...f, newest: null }).incidents).toEqual(['fresh|p|dw.orders high'])
    expect(keys({ ...f, newest: new Date('2025-12-31T12:00:00.000Z') })).toEqual({
      incidents: [],
      resolved: ['fresh|p|dw.orders'],
    })
    expect(keys({ ...f, dataset: 'raw.orders', newest: null })).toEqual({
      incidents: [],
      resolved: [],
    })
  })

  it('quality check failure: one incident per check; warn-level checks alert low; pass resolves', () => {
    const c = {
      kind: 'check',
      pipeline: 'p',
      runId: 'r',
      task: 't',
      name: 'uniq',
      message: 'dupes',
      at,
    } as const
    expect(keys({ ...c, status: 'fail', severity: 'error' }).incidents).toEqual([
      'dq|p|t|uniq high',
    ])
    expect(keys({ ...c, status: 'fail', severity: 'warn' }).incidents).toEqual(['dq|p|t|uniq low'])
    expect(keys({ ...c, status: 'pass' })).toEqual({ incidents: [], resolved: ['dq|p|t|uniq'] })
  })
})
