import { JSDOM } from 'jsdom'
import { beforeAll, describe, expect, it } from 'vitest'
import { renderMermaid } from '../../../src/core/render/index.js'
import { diamond, empty, ordersDaily, randomDag, single, twisted } from './fixtures.js'

// Mermaid's own parser, as the docs site and GitHub use it. It sanitizes labels with DOMPurify,
// which needs a DOM: jsdom provides one.
let parse: (text: string) => Promise<unknown>

beforeAll(async () => {
  const { window } = new JSDOM('')
  Object.assign(globalThis, { window, document: window.document })
  const mermaid = (await import('mermaid')).default
  parse = (text) => mermaid.parse(text)
}, 60_000)

describe('renderMermaid output in mermaid’s own grammar', () => {
  it.each([
    ['orders', ordersDaily],
    ['diamond with states and odd ids', diamond],
    ['single', single],
    ['empty', empty],
    ['twisted', twisted],
    ['random 200-task DAG', randomDag(200)],
  ])('%s parses as a flowchart', async (_name, view) => {
    await expect(parse(renderMermaid(view))).resolves.toMatchObject({ diagramType: 'flowchart-v2' })
  })

  it('the parser really rejects broken input', async () => {
    await expect(parse('flowchart LR\n  a --> \n  ][')).rejects.toThrow()
  })
})
