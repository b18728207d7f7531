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

describe('docs/transforms.md', () => {
  it('every op and check example is valid under its schema', async () => {
    const { transformOpSchema } = await import('../../src/core/spec/transform-op-schema.js')
    const { checkSchema } = await import('../../src/core/spec/check-schema.js')
    const { parse } = await import('yaml')
    const doc = await readFile(join(root, 'docs/transforms.md'), 'utf8')
    const opsPart = doc.slice(
      doc.indexOf('## Built-in ops'),
      doc.indexOf('## TypeScript transforms'),
    )
    const checksPart = doc.slice(doc.indexOf('## Quality checks'), doc.indexOf('## Example'))
    const items = (part: string) =>
      [...part.matchAll(/```yaml\n(- [\s\S]*?)```/g)].map((m) => parse(m[1]!) as unknown[])
    const ops = items(opsPart).flat()
    const checks = items(checksPart).flat()
    expect(ops.length).toBeGreaterThanOrEqual(20)
    expect(checks.length).toBeGreaterThanOrEqual(13)
    for (const op of ops)
      expect(transformOpSchema.safeParse(op).success, JSON.stringify(op)).toBe(true)
    for (const c of checks) expect(checkSchema.safeParse(c).success, JSON.stringify(c)).toBe(true)
    // every op and check type has an example
    const keys = (xs: unknown[]) => new Set(xs.flatMap((x) => Object.keys(x as object)))
    const { TRANSFORM_OP_NAMES } = await import('../../src/core/spec/transform-op-schema.js')
    const { CHECK_TYPES } = await import('../../src/core/spec/check-schema.js')
    expect(TRANSFORM_OP_NAMES.filter((n) => !keys(ops).has(n))).toEqual([])
    expect(CHECK_TYPES.filter((n) => !keys(checks).has(n))).toEqual([])
  })
})
