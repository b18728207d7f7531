import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sluiceCli } from '../helpers/sluice-cli.js'

// Schema contracts through the CLI: `sluice plan` shows the schema change a contract would cause
// against the last kept run, before anything runs; `sluice run` enforces the contract.
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-contract-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const sluice = (args: string[]) => sluiceCli(args, { cwd: dir, workspace: join(dir, 'ws') })
const pipeline = (columns: string, policy = 'freeze') =>
  writeFile(
    join(dir, 'p.yaml'),
    `name: contracted
tasks:
  items:
    type: extract
    source: { path: in.csv }
    contract: { policy: ${policy}, columns: ${columns} }
`,
  )

describe('schema contracts in the CLI', () => {
  it('plan shows the diff a changed contract would cause; run enforces it', async () => {
    await writeFile(join(dir, 'in.csv'), 'id,amount,note\n1,2.5,a\n2,-3.5,b\n')
    await pipeline('{ id: int64, amount: "decimal(10,2)", note: string }')
    const first = await sluice(['plan', 'p.yaml'])
    expect(first.code).toBe(0)
    expect(first.out).toContain('items (contract):\n    no earlier dataset to compare with')
    expect((await sluice(['run', 'p.yaml'])).code).toBe(0)

    await pipeline('{ id: int64, amount: "decimal(12,2)", note: string, discount: float64 }')
    const plan = await sluice(['plan', 'p.yaml', '--json'])
    const changes = (JSON.parse(plan.out) as { schemaChanges: { task: string; diff: string }[] })
      .schemaChanges
    expect(changes).toHaveLength(1)
    expect(changes[0]!.diff.split('\n')).toEqual([
      '+ added    discount float64',
      '~ widened  amount decimal(10,2) -> decimal(12,2)',
    ])

    await pipeline('{ id: int64, amount: { type: "decimal(10,2)", min: 0 }, note: string }')
    const broken = await sluice(['run', 'p.yaml'])
    expect(broken.code).toBe(1)
    expect(broken.out + broken.err).toMatch(
      /E_CONTRACT_VIOLATION .*1 of 2 rows: amount below 0 \(policy freeze\)/,
    )
    await pipeline(
      '{ id: int64, amount: { type: "decimal(10,2)", min: 0 }, note: string }',
      'discard_row',
    )
    const kept = await sluice(['run', 'p.yaml'])
    expect(kept.code, kept.out + kept.err).toBe(0)
    const runId = /run (contracted-\S+) SUCCESS/.exec(kept.out)![1]!
    const rejects = JSON.parse((await sluice(['rejects', runId, 'items', '--json'])).out) as {
      line: number
      reason: string
    }[]
    expect(rejects).toEqual([
      {
        file: 'contract',
        line: 2,
        reason: 'amount: below 0',
        raw: '{"id":2,"amount":-3.5,"note":"b"}',
      },
    ])
  })
})
