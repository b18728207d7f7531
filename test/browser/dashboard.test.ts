import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ensureDashboardBuilt,
  launchChromium,
  repoRoot,
  startServe,
  type Serve,
} from './dashboard-harness.js'

// The dashboard as a user meets it: built assets served by a real `sluice serve` (child process,
// token set), real pipelines run by it, Debian's Chromium driven by playwright-core.
const TOKEN = 'dash-token-5678'
const ARTIFACTS = join(repoRoot, 'test-artifacts/dashboard')
let dir: string
let serve: Serve
let browser: Browser
let context: BrowserContext

interface RunJson {
  id: string
  state: string
  pipeline: string
}

async function apiGet<T>(path: string): Promise<T> {
  const r = await fetch(`${serve.url}${path}`)
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`)
  return (await r.json()) as T
}

async function apiPost<T>(path: string, body: unknown = {}): Promise<T> {
  const r = await fetch(`${serve.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`)
  return (await r.json()) as T
}

async function waitRun(id: string, states: string[], timeoutMs = 30_000): Promise<RunJson> {
  const started = Date.now()
  for (;;) {
    const run = await apiGet<RunJson>(`/api/v1/runs/${id}`)
    if (states.includes(run.state)) return run
    if (Date.now() - started > timeoutMs)
      throw new Error(`run ${id} is ${run.state}, not ${states.join('|')}\n${serve.output()}`)
    await new Promise((r) => setTimeout(r, 150))
  }
}

/** A page that records console errors and uncaught exceptions. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage()
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  return { page, errors }
}

beforeAll(async () => {
  ensureDashboardBuilt()
  await mkdir(ARTIFACTS, { recursive: true })
  dir = await mkdtemp(join(tmpdir(), 'sluice-dash-'))
  const pipes = join(dir, 'pipes')
  await mkdir(pipes, { recursive: true })
  await writeFile(
    join(pipes, 'flow.yaml'),
    `name: flow
description: four steps, a diamond, each taking a moment
params:
  greeting: { type: string, default: hello, description: printed by the first step }
  times: { type: integer, default: 1 }
tasks:
  a: { type: command, command: "sleep 0.6; echo a says {{ params.greeting }}" }
  b: { type: command, command: "sleep 0.6; echo b", depends_on: [a] }
  c: { type: command, command: "sleep 1.2; echo c", depends_on: [a] }
  d: { type: command, command: "sleep 0.8; echo d done", depends_on: [b, c] }
`,
  )
  await writeFile(
    join(pipes, 'flaky.yaml'),
    `name: flaky
schedule: { cron: "0 3 * * *", timezone: UTC }
tasks:
  first: { type: command, command: "echo one" }
  second:
    type: command
    command: "echo looking for the marker; test -f ../marker"
    depends_on: [first]
    retries: { max_attempts: 2, initial_delay: 100ms }
`,
  )
  const lines = Array.from({ length: 10 }, (_, i) => `${i + 1},item ${i + 1},${i + 0.5}`)
  lines.splice(3, 0, '4x,broken,"unterminated')
  await writeFile(join(pipes, 'dirty.csv'), `id,name,price\n${lines.join('\n')}\n`)
  await writeFile(
    join(pipes, 'dirty.yaml'),
    `name: dirty
tasks:
  items: { type: extract, source: { path: dirty.csv, on_error: quarantine, columns: { id: int64, name: string, price: float64 } } }
`,
  )
  await cp(join(repoRoot, 'examples/quickstart/pipeline.yaml'), join(pipes, 'orders_daily.yaml'))
  await cp(join(repoRoot, 'examples/quickstart/data'), join(pipes, 'data'), { recursive: true })
  serve = await startServe(dir, { token: TOKEN })
  browser = await launchChromium()
  context = await browser.newContext({ viewport: { width: 1366, height: 800 } })
  // data for the Data page: a pipeline with datasets and a quality check
  for (const p of ['orders_daily', 'dirty']) {
    const { runId } = await apiPost<{ runId: string }>(`/api/v1/pipelines/${p}/runs`, {})
    await waitRun(runId, ['SUCCESS', 'FAILED'], 60_000)
  }
}, 120_000)

afterAll(async () => {
  await context?.close()
  await browser?.close()
  await serve?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
}, 30_000)

describe('dashboard against sluice serve', () => {
  let flowRun = ''
  let failedRun = ''

  it('serves the app shell, hashed assets as immutable, and keeps API 404s as JSON', async () => {
    const index = await fetch(`${serve.url}/`)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toMatch(/text\/html/)
    const html = await index.text()
    expect(html).toContain('<div id="root">')
    expect(html).not.toMatch(/https?:\/\//) // no CDN, no external font
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!
    const js = await fetch(`${serve.url}${asset}`)
    expect(js.headers.get('content-type')).toMatch(/javascript/)
    expect(js.headers.get('cache-control')).toContain('immutable')
    const deep = await fetch(`${serve.url}/runs/some-client-route`)
    expect(await deep.text()).toBe(html)
    const api404 = await fetch(`${serve.url}/api/v1/nope`)
    expect(api404.status).toBe(404)
    expect(((await api404.json()) as { error: { code: string } }).error.code).toBe(
      'E_ROUTE_UNKNOWN',
    )
  })

  it('asks for the token; without it the trigger fails cleanly and starts nothing', async () => {
    const { page } = await openPage()
    await page.goto(`${serve.url}/#/pipelines`)
    const row = page.locator('tr[data-pipeline="flow"]')
    await row.getByRole('button', { name: 'Trigger…' }).click()
    const form = page.getByRole('form', { name: 'trigger flow' })
    await form.getByLabel(/greeting/).fill('from the browser')
    await form.getByRole('button', { name: 'Start run' }).click()
    await expect.poll(() => form.locator('.error-box').textContent()).toContain('E_AUTH')
    await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(true)
    const before = await apiGet<{ runs: RunJson[] }>('/api/v1/runs?pipeline=flow')
    expect(before.runs).toHaveLength(0)

    await page.getByRole('dialog').getByLabel('Token').fill(TOKEN)
    await page.getByRole('button', { name: 'Save token' }).click()
    await form.getByRole('button', { name: 'Start run' }).click()
    await page.waitForURL(/#\/runs\/[^/]+$/)
    flowRun = decodeURIComponent(/#\/runs\/([^/?]+)/.exec(page.url())![1]!)
    const run = await apiGet<{ params: Record<string, unknown> }>(`/api/v1/runs/${flowRun}`)
    expect(run.params).toMatchObject({ greeting: 'from the browser' })

    // the graph turns green task by task
    const seen: string[] = []
    const started = Date.now()
    for (;;) {
      const states = await page
        .locator('svg.dag g.node')
        .evaluateAll((gs) =>
          gs.map((g) => `${g.getAttribute('data-node')}=${g.getAttribute('data-state')}`),
        )
      const snap = states.sort().join(' ')
      if (seen[seen.length - 1] !== snap) seen.push(snap)
      if (states.length === 4 && states.every((s) => s.endsWith('=SUCCESS'))) break
      if (Date.now() - started > 30_000)
        throw new Error(`graph never turned green: ${seen.join('\n')}`)
      await page.waitForTimeout(100)
    }
    const greens = seen.map((s) => (s.match(/=SUCCESS/g) ?? []).length)
    // it went through partial states: a alone, then a with b, … (not all at once)
    expect(greens.filter((g) => g > 0 && g < 4).length).toBeGreaterThanOrEqual(2)
    expect(seen.some((s) => s.includes('=RUNNING'))).toBe(true)
    // in dependency order: a before b and c, both before d
    const first = (t: string) => seen.findIndex((x) => x.includes(`${t}=SUCCESS`))
    expect(first('a')).toBeLessThan(first('b'))
    expect(first('a')).toBeLessThan(first('c'))
    expect(first('b')).toBeLessThan(first('d'))
    expect(first('c')).toBeLessThan(first('d'))
    await expect.poll(() => page.locator('h1 .badge').getAttribute('data-state')).toBe('SUCCESS')
    await page.close()
  }, 60_000)

  it('shows a failed run with its error and resumes it with the resume button', async () => {
    const { runId } = await apiPost<{ runId: string }>('/api/v1/pipelines/flaky/runs', {})
    failedRun = runId
    const { page } = await openPage()
    await page.goto(`${serve.url}/#/runs/${runId}`)
    await expect
      .poll(() => page.locator('h1 .badge').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('FAILED')
    const errorCell = page.locator('tr[data-task="second"] .task-error')
    await expect.poll(() => errorCell.textContent()).toMatch(/E_[A-Z_]+/)
    const code = (await errorCell.locator('code').textContent())!
    expect(await page.locator('.run-error').textContent()).toContain(code)
    // the retry is a second bar in the Gantt chart
    expect(await page.locator('svg.gantt [data-attempt="second#1"]').count()).toBe(1)

    await writeFile(join(dir, 'marker'), 'x')
    await page.getByRole('button', { name: 'Resume run' }).click()
    await expect.poll(() => page.locator('.notice').textContent()).toContain('second')
    await expect
      .poll(() => page.locator('h1 .badge').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('SUCCESS')
    expect((await waitRun(runId, ['SUCCESS'])).state).toBe('SUCCESS')
    await page.close()
  }, 60_000)

  it('links an error to its log line', async () => {
    const { page } = await openPage()
    await page.goto(`${serve.url}/#/runs/${failedRun}`)
    await page.locator('tr[data-task="second"] .task-error a', { hasText: 'log line' }).click()
    await page.waitForURL(/\/logs\?/)
    const target = page.locator('.log-line.target')
    await expect.poll(() => target.count()).toBe(1)
    expect(await target.textContent()).toContain('second')
    // search and level filter narrow the lines
    await page.getByLabel('search log lines').fill('marker')
    await expect
      .poll(() => page.locator('.log-line').evaluateAll((ls) => ls.map((l) => l.textContent)))
      .toEqual(expect.arrayContaining([expect.stringContaining('looking for the marker')]))
    const n = await page.locator('.log-line').count()
    expect(n).toBeGreaterThan(0)
    expect(
      (await page.locator('.log-line').allTextContents()).every((t) => t.includes('marker')),
    ).toBe(true)
    await page.close()
  })

  it('requeues a dead letter from the Operations page', async () => {
    await rm(join(dir, 'marker'), { force: true })
    const { runId } = await apiPost<{ runId: string }>('/api/v1/pipelines/flaky/runs', {})
    await waitRun(runId, ['FAILED'])
    const dlq = await apiGet<{ deadLetters: { id: number; runId: string }[] }>(
      `/api/v1/dlq?run=${runId}`,
    )
    expect(dlq.deadLetters.length).toBeGreaterThan(0)
    const entry = dlq.deadLetters[0]!
    await writeFile(join(dir, 'marker'), 'x')
    const { page, errors } = await openPage()
    await page.goto(`${serve.url}/#/operations`)
    const row = page.locator(`tr[data-dead-letter="${entry.id}"]`)
    await row.getByRole('button', { name: 'Inspect' }).click()
    await row.getByRole('button', { name: 'Requeue' }).click()
    await expect.poll(() => page.locator('.notice').textContent()).toContain(`run ${runId}`)
    expect((await waitRun(runId, ['SUCCESS'])).state).toBe('SUCCESS')
    const after = await apiGet<{ requeuedAt: string | null }>(`/api/v1/dlq/${entry.id}`)
    expect(after.requeuedAt).not.toBeNull()
    expect(errors).toEqual([])
    await page.close()
  }, 60_000)

  it('keyboard: Tab reaches a graph node and Enter opens the task', async () => {
    const { page } = await openPage()
    await page.goto(`${serve.url}/#/pipelines/flow`)
    await page.locator('[data-node="b"]').waitFor()
    await page.locator('[data-node="b"]').focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByRole('region', { name: 'Task b' }).isVisible()).toBe(true)
    expect(await page.getByRole('region', { name: 'Task b' }).textContent()).toContain('sleep 0.6')
    await page.close()
  })

  it('every page loads without console errors; screenshots in test-artifacts/dashboard', async () => {
    const dataset = (
      await apiGet<{ datasets: { id: string; rows: number | null; fields: unknown[] }[] }>(
        '/api/v1/datasets',
      )
    ).datasets.find((d) => d.id === 'sluice:orders_daily.clean')
    expect(dataset).toBeDefined()
    const pages: [string, string, string][] = [
      ['pipelines', '#/pipelines', 'table[aria-label="pipelines"] tbody tr'],
      ['pipeline', '#/pipelines/flow', 'svg.dag g.node[data-state="SUCCESS"]'],
      ['runs', '#/runs', 'table[aria-label="runs"] tbody tr[data-run]'],
      ['run', `#/runs/${flowRun}`, 'svg.gantt rect.bar'],
      ['run-failed-resumed', `#/runs/${failedRun}`, 'svg.gantt rect.bar'],
      ['logs', `#/runs/${flowRun}/logs`, '.log-line'],
      ['data', `#/data?dataset=${encodeURIComponent(dataset!.id)}`, 'table[aria-label="schema"]'],
      ['operations', '#/operations', 'table[aria-label="dead letters"], [data-testid="dlq-empty"]'],
    ]
    for (const [name, hash, ready] of pages) {
      const { page, errors } = await openPage()
      await page.goto(`${serve.url}/${hash}`)
      await page.locator(ready).first().waitFor({ timeout: 15_000 })
      await page.waitForTimeout(300)
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
      expect(errors, `console errors on ${name}`).toEqual([])
      await page.close()
    }
    // quarantined rows: the dirty CSV's broken line, its reason and raw text on demand
    {
      const { page, errors } = await openPage()
      await page.goto(`${serve.url}/#/data`)
      const q = page.getByRole('table', { name: 'quarantined rows' })
      await q.waitFor()
      expect(await q.textContent()).toContain('dirty.items')
      await q.getByRole('button', { name: 'Show rows' }).click()
      const rows = page.getByRole('table', { name: 'quarantined rows of items' })
      await rows.waitFor()
      const cells = await rows.locator('tbody tr').first().locator('td').allTextContents()
      expect(cells[0]).toMatch(/dirty\.csv:5$/)
      expect(cells[1]!.length).toBeGreaterThan(0)
      expect(await rows.locator('tbody tr').count()).toBe(1)
      await page.screenshot({ path: join(ARTIFACTS, 'data-quarantine.png'), fullPage: true })
      expect(errors).toEqual([])
      await page.close()
    }
    // dark theme
    const { page, errors } = await openPage()
    await page.goto(`${serve.url}/#/runs/${flowRun}`)
    await page.getByRole('button', { name: /switch to dark theme/ }).click()
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
    await page.locator('svg.gantt rect.bar').first().waitFor()
    await page.screenshot({ path: join(ARTIFACTS, 'run-dark.png'), fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  }, 90_000)

  it('shows times in the viewer zone with UTC on hover, and pages runs through the API', async () => {
    const { page } = await openPage()
    const requests: string[] = []
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/runs?')) requests.push(r.url())
    })
    await page.goto(`${serve.url}/#/runs`)
    const time = page.locator('table[aria-label="runs"] time').first()
    await time.waitFor()
    expect(await time.getAttribute('title')).toMatch(/^UTC \d{4}-\d\d-\d\dT/)
    expect(requests.some((u) => /limit=50/.test(u))).toBe(true)
    const filters = page.getByRole('form', { name: 'run filters' })
    await filters.getByLabel('Pipeline', { exact: true }).selectOption('flaky')
    await filters.getByLabel('Trigger', { exact: true }).selectOption('webhook')
    await filters.getByLabel('State', { exact: true }).selectOption('SUCCESS')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL(/state=SUCCESS/)
    await expect
      .poll(async () => {
        const states = await page.locator('table[aria-label="runs"] .badge').allTextContents()
        const pipes = await page
          .locator('table[aria-label="runs"] tbody td:nth-child(2)')
          .allTextContents()
        return (
          states.length === 2 &&
          states.every((s) => s === 'SUCCESS') &&
          pipes.every((p) => p === 'flaky')
        )
      })
      .toBe(true)
    await page.close()
  })
})
