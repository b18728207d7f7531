import { describe, it, expect } from 'vitest'
import { renderJson } from '../../../src/core/render/index.js'
import { diamond, empty, ordersDaily } from './fixtures.js'

describe('renderJson', () => {
  it('round-trips the view as pretty JSON', () => {
    for (const view of [ordersDaily, diamond, empty]) {
      const text = renderJson(view)
      expect(text).toContain('\n  "pipeline": ')
      expect(JSON.parse(text)).toEqual({
        pipeline: view.pipeline,
        nodes: view.nodes,
        edges: view.edges,
      })
    }
  })

  it('puts keys in a stable order and omits absent fields', () => {
    const parsed = JSON.parse(renderJson(diamond)) as { nodes: Record<string, unknown>[] }
    expect(Object.keys(parsed)).toEqual(['pipeline', 'nodes', 'edges'])
    expect(Object.keys(parsed.nodes[0]!)).toEqual(['id', 'type', 'level', 'state', 'critical'])
    const plain = JSON.parse(renderJson(ordersDaily)) as { nodes: Record<string, unknown>[] }
    expect(Object.keys(plain.nodes[0]!)).toEqual(['id', 'type', 'level'])
  })
})
