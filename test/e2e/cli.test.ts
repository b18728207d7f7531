import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sluiceCli } from '../helpers/sluice-cli.js'

const sluice = (args: string[]) => sluiceCli(args)

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-e2e-'))
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

describe('sluice CLI', () => {
  it('validate: exit 0 on a valid file', async () => {
    const r = await sluice(['validate', 'examples/quickstart/pipeline.yaml'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('pipeline orders_daily is valid (8 tasks, 5 levels)')
  })

  it('validate: exit 1 and one line per error with file:line:col and code', async () => {
    const r = await sluice(['validate', 'test/fixtures/four-errors.yaml'])
    expect(r.code).toBe(1)
    const lines = r.err.trim().split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[0]).toMatch(/^test\/fixtures\/four-errors\.yaml:2:\d+ error E_CRON_INVALID /)
    expect(lines[1]).toMatch(
      /^test\/fixtures\/four-errors\.yaml:9:\d+ error E_DEP_MISSING .*did you mean `extract_orders`/,
    )
    expect(lines[2]).toMatch(/:13:\d+ error E_CYCLE dependency cycle: a -> b -> a/)
    expect(lines[3]).toMatch(/:17:\d+ error E_TASK_DUPLICATE /)
    expect(r.err).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('validate --json lists issues as data', async () => {
    const r = await sluice(['validate', '--json', 'test/fixtures/four-errors.yaml'])
    expect(r.code).toBe(1)
    const data = JSON.parse(r.out) as { valid: boolean; issues: { code: string }[] }
    expect(data.valid).toBe(false)
    expect(data.issues.map((i) => i.code)).toEqual([
      'E_CRON_INVALID',
      'E_DEP_MISSING',
      'E_CYCLE',
      'E_TASK_DUPLICATE',
    ])
  })

  it('usage errors exit 2', async () => {
    expect((await sluice(['plan'])).code).toBe(2)
    expect((await sluice(['frobnicate'])).code).toBe(2)
    const r = await sluice(['plan', 'examples/quickstart/pipeline.yaml', '--param', 'oops'])
    expect(r.code).toBe(2)
    expect(r.err).toContain('error E_USAGE --param oops: expected name=value')
  })

  it('graph writes an SVG file a browser can parse', async () => {
    const out = join(tmp, 'g.svg')
    const r = await sluice(['graph', 'examples/quickstart/pipeline.yaml', '-o', out])
    expect(r.code).toBe(0)
    const svg = await readFile(out, 'utf8')
    expect(XMLValidator.validate(svg)).toBe(true)
    const doc = new XMLParser({ ignoreAttributes: false }).parse(svg) as {
      svg: Record<string, unknown>
    }
    expect(doc.svg['@_xmlns']).toBe('http://www.w3.org/2000/svg')
    expect(svg.match(/class="node"/g)).toHaveLength(8)
  })

  it('plan --select and --json', async () => {
    const r = await sluice([
      'plan',
      'examples/quickstart/pipeline.yaml',
      '--select',
      '+save_report',
      '--json',
    ])
    expect(r.code).toBe(0)
    const plan = JSON.parse(r.out) as { levels: string[][] }
    expect(plan.levels).toEqual([
      ['orders', 'customers'],
      ['clean'],
      ['by_country'],
      ['save_report'],
    ])
  })

  it('init scaffolds a project that validates; schema prints JSON Schema', async () => {
    const dir = join(tmp, 'proj')
    const r = await sluice(['init', dir])
    expect(r.code).toBe(0)
    const v = await sluice(['validate', join(dir, 'pipeline.yaml')])
    expect(v.code).toBe(0)
    expect((await sluice(['init', dir])).code).toBe(1)
    const s = await sluice(['schema'])
    const schema = JSON.parse(s.out) as { properties: Record<string, unknown> }
    expect(Object.keys(schema.properties)).toContain('tasks')
  })
})
