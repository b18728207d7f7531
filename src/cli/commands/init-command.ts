import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { SluiceError } from '../../core/sluice-error.js'
import type { CliIo } from '../cli-io.js'

const PIPELINE = `# yaml-language-server: $schema=./pipeline.schema.json
# A first sluice pipeline: it needs nothing but this folder.
name: hello
description: Orders from a CSV file, cleaned with SQL, written to Parquet
params:
  min_amount: { type: number, default: 10 }
tasks:
  orders:
    type: extract
    source: { path: data/orders.csv }
  big_orders:
    type: sql
    depends_on: [orders]
    sql: select * from orders where amount >= {{ params.min_amount }}
  save:
    type: load
    depends_on: [big_orders]
    destination: { path: out/big_orders.parquet, mode: replace }
  report:
    type: command
    depends_on: [save]
    command: echo "wrote out/big_orders.parquet for {{ today }}"
`

const ORDERS = `id,customer,amount,created_at
1,ada,12.50,2026-01-01T10:00:00Z
2,grace,7.00,2026-01-01T11:30:00Z
3,linus,99.90,2026-01-02T09:15:00Z
4,ada,15.00,2026-01-03T16:45:00Z
`

/** `sluice init [DIR]`: a project with an example pipeline that runs on embedded defaults. */
export async function initCommand(
  io: CliIo,
  dir: string | undefined,
  opts: { force?: boolean },
): Promise<void> {
  const root = resolve(io.cwd, dir ?? '.')
  const files: Record<string, string> = {
    'pipeline.yaml': PIPELINE,
    'data/orders.csv': ORDERS,
    '.gitignore': '.sluice/\nout/\n',
  }
  const clash = Object.keys(files).filter((f) => f !== '.gitignore' && existsSync(join(root, f)))
  if (clash.length > 0 && !opts.force) {
    throw new SluiceError('E_INIT_EXISTS', `${clash.join(', ')} already exist in ${root}`, {
      hint: 'pass --force to overwrite, or choose another directory',
    })
  }
  for (const [name, text] of Object.entries(files)) {
    const path = join(root, name)
    await mkdir(join(path, '..'), { recursive: true })
    if (name === '.gitignore' && existsSync(path)) continue
    await writeFile(path, text)
  }
  const { pipelineJsonSchema } = await import('../../definition/pipeline-json-schema.js')
  await writeFile(
    join(root, 'pipeline.schema.json'),
    JSON.stringify(pipelineJsonSchema(), null, 2) + '\n',
  )
  const where = dir ?? '.'
  io.out(`created a sluice project in ${where}:`)
  for (const name of [...Object.keys(files), 'pipeline.schema.json']) io.out(`  ${name}`)
  io.out(
    `next: sluice validate ${join(where, 'pipeline.yaml')} && sluice graph ${join(where, 'pipeline.yaml')}`,
  )
}
