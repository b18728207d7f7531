#!/usr/bin/env node
// Enforces the import directions of DESIGN.md §1: each folder under src/ may import only the
// folders listed for it; src/core does no I/O (no node: modules); a connector never imports
// another connector; nothing imports the CLI. Exits 1 with one line per violation.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

const ALLOWED = {
  core: [],
  definition: ['core'],
  data: ['core'],
  connectors: ['core', 'data'],
  transforms: ['core', 'data'],
  state: ['core'],
  engine: ['core', 'data', 'state', 'connectors', 'transforms'],
  scheduler: ['core', 'state'],
  observe: ['core'],
  server: ['core', 'state', 'observe'],
  cli: [
    'core',
    'definition',
    'data',
    'connectors',
    'transforms',
    'state',
    'engine',
    'scheduler',
    'observe',
    'server',
  ],
}
const root = resolve(import.meta.dirname, '..')
const src = join(root, 'src')

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) yield* walk(p)
    else if (/\.(ts|tsx|mts)$/.test(name)) yield p
  }
}

const IMPORT =
  /(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm
const problems = []
let files = 0
for (const file of walk(src)) {
  files++
  const rel = relative(src, file).split(sep)
  const area = rel.length > 1 ? rel[0] : '(root)'
  const text = readFileSync(file, 'utf8')
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3]
    const line = text.slice(0, m.index).split('\n').length
    const where = `src/${rel.join('/')}:${line}`
    if (area === 'core' && spec.startsWith('node:')) {
      problems.push(`${where} error E_IMPORT core must not do I/O: it imports ${spec}`)
      continue
    }
    if (!spec.startsWith('.')) continue
    const target = relative(src, resolve(dirname(file), spec)).split(sep)
    if (target[0] === '..') continue
    const targetArea = target.length > 1 ? target[0] : '(root)'
    if (targetArea === area) {
      if (area === 'connectors' && rel.length > 2 && target.length > 2 && rel[1] !== target[1]) {
        problems.push(
          `${where} error E_IMPORT connector ${rel[1]} imports connector ${target[1]}; share code through core or data`,
        )
      }
      continue
    }
    if (area === '(root)') continue // src/index.ts re-exports the public API
    const allowed = ALLOWED[area]
    if (allowed === undefined) {
      problems.push(
        `${where} error E_IMPORT src/${area} is not a known layer; add it to scripts/check-imports.mjs and DESIGN.md`,
      )
    } else if (!allowed.includes(targetArea)) {
      problems.push(
        `${where} error E_IMPORT ${area} may not import ${targetArea} (${spec}); allowed: ${allowed.join(', ') || 'nothing internal'}`,
      )
    }
  }
}
for (const p of problems) console.error(p)
console.log(`import directions: ${files} files checked, ${problems.length} violation(s)`)
process.exit(problems.length > 0 ? 1 : 0)
