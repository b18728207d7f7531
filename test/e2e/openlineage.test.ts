import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sluiceCli } from '../helpers/sluice-cli.js'

interface Dataset {
  namespace: string
  name: string
  facets: Record<string, { fields?: unknown }>
  outputFacets?: { outputStatistics?: { rowCount: number } }
}
interface Event {
  eventType: string
  run: { runId: string; facets: Record<string, unknown> }
  job: { name: string }
  inputs: Dataset[]
  outputs: Dataset[]
}

const PIPELINE = `name: shop
tasks:
  orders:
    type: extract
    source: { path: data/orders.csv }
  totals:
    type: sql
    depends_on: [orders]
    sql: select country, sum(amount) as total, count(*) as n from orders group by country
  save:
    type: load
    depends_on: [totals]
    destination: { path: out/totals.csv, mode: replace }
`

let dir: string
let server: Server
let posted: Event[] = []
let url: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-ol-'))
  await mkdir(join(dir, 'data'))
  await writeFile(join(dir, 'pipeline.yaml'), PIPELINE)
  await writeFile(
    join(dir, 'data/orders.csv'),
    'id,country,amount\n1,DE,10\n2,DE,5\n3,FR,7\n4,IT,1\n',
  )
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      posted.push(JSON.parse(body) as Event)
      res.writeHead(201).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/lineage`
})

afterAll(async () => {
  await new Promise((r) => server.close(r))
  await rm(dir, { recursive: true, force: true })
})

describe('OpenLineage run events from sluice run', () => {
  it('posts START and COMPLETE for the run and each task, with datasets, row counts and column lineage, and writes the same to a file', async () => {
    posted = []
    const file = join(dir, 'lineage.jsonl')
    const r = await sluiceCli(['run', 'pipeline.yaml'], {
      cwd: dir,
      workspace: join(dir, '.ws'),
      env: { SLUICE_OPENLINEAGE_URL: url, SLUICE_OPENLINEAGE_FILE: file },
    })
    expect(r.code, r.err).toBe(0)
    const fromFile = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Event)
    expect(fromFile).toEqual(posted)
    const kinds = posted.map((e) => `${e.job.name} ${e.eventType}`)
    expect(kinds[0]).toBe('shop START')
    expect(kinds.at(-1)).toBe('shop COMPLETE')
    for (const t of ['orders', 'totals', 'save']) {
      expect(kinds.indexOf(`shop.${t} START`)).toBeLessThan(kinds.indexOf(`shop.${t} COMPLETE`))
    }
    const totals = posted.find((e) => e.job.name === 'shop.totals' && e.eventType === 'COMPLETE')!
    expect(totals.run.facets.parent).toBeDefined()
    expect(totals.inputs.map((d) => d.name)).toEqual(['shop.orders'])
    const out = totals.outputs[0]!
    expect(out.name).toBe('shop.totals')
    expect(out.outputFacets?.outputStatistics?.rowCount).toBe(3)
    const fields = (out.facets.columnLineage as { fields: Record<string, unknown> }).fields
    expect(fields).toEqual({
      country: {
        inputFields: [
          {
            namespace: 'sluice',
            name: 'shop.orders',
            field: 'country',
            transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }],
          },
        ],
      },
      total: {
        inputFields: [
          {
            namespace: 'sluice',
            name: 'shop.orders',
            field: 'amount',
            transformations: [{ type: 'DIRECT', subtype: 'AGGREGATION' }],
          },
        ],
      },
      n: { inputFields: [] },
    })
    const save = posted.find((e) => e.job.name === 'shop.save' && e.eventType === 'COMPLETE')!
    expect(save.outputs.map((d) => `${d.namespace}:${d.name}`)).toEqual(['file:out/totals.csv'])
  })

  it('a failing task sends FAIL with its error, and the run FAIL; an endpoint that is down only warns', async () => {
    posted = []
    await writeFile(
      join(dir, 'bad.yaml'),
      `name: bad\ntasks:\n  boom:\n    type: command\n    retries: { max_attempts: 1 }\n    command: exit 3\n`,
    )
    const r = await sluiceCli(['run', 'bad.yaml'], {
      cwd: dir,
      workspace: join(dir, '.ws'),
      env: { SLUICE_OPENLINEAGE_URL: url },
    })
    expect(r.code).toBe(1)
    const fail = posted.find((e) => e.job.name === 'bad.boom' && e.eventType === 'FAIL')!
    expect(JSON.stringify(fail.run.facets.errorMessage)).toContain('E_COMMAND_FAILED')
    expect(posted.at(-1)).toMatchObject({ eventType: 'FAIL', job: { name: 'bad' } })

    const down = await sluiceCli(['run', 'pipeline.yaml'], {
      cwd: dir,
      workspace: join(dir, '.ws'),
      env: { SLUICE_OPENLINEAGE_URL: 'http://127.0.0.1:9/api/v1/lineage' },
    })
    expect(down.code, down.err).toBe(0)
    expect(down.err).toContain('OpenLineage event not sent to http://127.0.0.1:9')
  })
})
