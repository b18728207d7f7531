import { describe, it, expect } from 'vitest'
import { renderAscii, STATE_COLORS } from '../../../src/core/render/index.js'
import type { GraphView } from '../../../src/core/render/index.js'
import { diamond, empty, ordersDaily, randomDag, single } from './fixtures.js'

// eslint-disable-next-line no-control-regex -- matching ANSI escape sequences
const ANSI = /\u001b\[[0-9;]*m/g
const strip = (s: string): string => s.replace(ANSI, '')

describe('renderAscii', () => {
  it('groups tasks by level with aligned columns and upstream arrows', () => {
    expect(renderAscii(ordersDaily)).toBe(
      [
        'orders_daily: 4 tasks, 3 levels',
        'level 0  ┌ orders     extract',
        '         └ customers  extract',
        'level 1  ─ clean      sql      ◀ orders, customers',
        'level 2  ─ load       load     ◀ clean',
      ].join('\n'),
    )
  })

  it('shows states, critical marks and odd ids in a diamond', () => {
    const lines = renderAscii(diamond).split('\n')
    expect(lines[0]).toBe('diamond "odd" <&>: 4 tasks, 3 levels')
    expect(lines[1]).toMatch(/^level 0 {2}─ a-b\* +extract +\[SUCCESS\]$/)
    expect(lines[2]).toMatch(/^level 1 {2}┌ left side\* +sql +\[RUNNING\] +◀ a-b$/)
    expect(lines[3]).toMatch(/^ {9}└ right_side +python +\[FAILED\] +◀ a-b$/)
    expect(lines[4]).toMatch(
      /^level 2 {2}─ say "hi"\\now\* +load +\[PENDING\] +◀ left side, right_side$/,
    )
    expect(lines[5]).toContain('*')
    // columns line up: type, state and arrow start at the same offsets
    for (const col of ['extract|sql|python|load', '\\[', '◀']) {
      const starts = lines
        .slice(1, 5)
        .map((l) => l.search(new RegExp(`(?<= )(${col})`)))
        .filter((i) => i >= 0)
      expect(new Set(starts).size, col).toBe(1)
    }
  })

  it('uses three-part brackets for wide levels', () => {
    const view: GraphView = {
      pipeline: 'wide',
      nodes: ['x', 'y', 'z'].map((id) => ({ id, type: 't', level: 0 })),
      edges: [],
    }
    expect(renderAscii(view).split('\n').slice(1)).toEqual([
      'level 0  ┌ x  t',
      '         ├ y  t',
      '         └ z  t',
    ])
  })

  it('emits colour codes only when color is true', () => {
    const plain = renderAscii(diamond)
    expect(plain).not.toMatch(ANSI)
    expect(renderAscii(diamond, { color: false })).toBe(plain)
    const colored = renderAscii(diamond, { color: true })
    expect(colored).toContain(`\u001b[${STATE_COLORS.FAILED.ansi}m[FAILED]\u001b[0m`)
    expect(colored).toContain(`\u001b[${STATE_COLORS.SUCCESS.ansi}m[SUCCESS]\u001b[0m`)
    expect(strip(colored)).toBe(plain)
    expect(renderAscii(ordersDaily, { color: true })).not.toMatch(ANSI)
  })

  it('never leaves trailing spaces', () => {
    for (const view of [ordersDaily, diamond, single, empty, randomDag(300)]) {
      for (const color of [false, true]) {
        for (const line of renderAscii(view, { color }).split('\n')) {
          expect(strip(line)).toBe(strip(line).trimEnd())
          expect(line).not.toMatch(/ $/)
        }
      }
    }
  })

  it('handles a single task, an empty graph and a big one', () => {
    expect(renderAscii(single)).toBe('solo: 1 task, 1 level\nlevel 0  ─ only  shell')
    expect(renderAscii(empty)).toBe('nothing: 0 tasks')
    const big = randomDag(2000)
    const text = renderAscii(big)
    expect(text.split('\n')).toHaveLength(2001)
    const levels = new Set(big.nodes.map((n) => n.level)).size
    expect(text.split('\n')[0]).toBe(`big: 2000 tasks, ${levels} levels`)
  })
})
