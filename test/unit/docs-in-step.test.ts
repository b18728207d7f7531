import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../src/core/error-codes.js'
import { loadPipelineFile } from '../../src/definition/load-pipeline.js'
import { pipelineJsonSchema } from '../../src/definition/pipeline-json-schema.js'

const root = join(import.meta.dirname, '../..')

describe('docs and examples stay in step with the code', () => {
  it('docs/errors.md lists every error code', async () => {
    const doc = await readFile(join(root, 'docs/errors.md'), 'utf8')
    const missing = Object.keys(ERROR_CODES).filter((c) => !doc.includes(`\`${c}\``))
    expect(missing, 'run npm run docs:errors').toEqual([])
  })

  it('docs/pipeline.schema.json is the current schema', async () => {
    const doc = JSON.parse(
      await readFile(join(root, 'docs/pipeline.schema.json'), 'utf8'),
    ) as unknown
    expect(doc, 'run npm run docs:schema').toEqual(pipelineJsonSchema())
  })

  it('every example pipeline validates', async () => {
    const dirs = await readdir(join(root, 'examples'))
    expect(dirs.length).toBeGreaterThan(0)
    for (const d of dirs) {
      const files = (await readdir(join(root, 'examples', d))).filter((f) =>
        /\.ya?ml$|^pipeline\.ts$/.test(f),
      )
      expect(files.length, `examples/${d} has no pipeline`).toBeGreaterThan(0)
      for (const f of files) {
        const l = await loadPipelineFile(join(root, 'examples', d, f), {
          env: {},
          envUnset: 'warning',
        })
        expect(
          l.issues.filter((i) => i.severity === 'error'),
          `examples/${d}/${f}`,
        ).toEqual([])
      }
    }
  })
})
