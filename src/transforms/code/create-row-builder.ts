import type { Value } from '../../data/column-type.js'
import type { Row } from './code-transform-options.js'

/** Row objects of one chunk: `rowAt(i)` is record `i` of `vectors` (values column by column). */
export type RowsOf = (vectors: readonly (readonly Value[])[]) => (i: number) => Row

/**
 * Builds row objects for `columns` from column vectors. Where it can, the builder is a generated
 * object literal (`{"id": c0[i], "name": c1[i]}`): V8 gives every row the same shape at once,
 * which makes rows cheaper to build and to spread (`{ ...row }`) than objects filled key by key.
 * Names that a literal would treat differently (`__proto__`, duplicates) get the loop instead.
 */
export function createRowBuilder(columns: readonly string[]): RowsOf {
  const literal = !columns.includes('__proto__') && new Set(columns).size === columns.length
  if (!literal) {
    return (vectors) => (i) => {
      const row: Row = {}
      for (let c = 0; c < columns.length; c++) {
        const value = vectors[c]?.[i] ?? null
        // assigning `__proto__` would set the prototype; define it as a plain property instead
        if (columns[c] === '__proto__') {
          Object.defineProperty(row, '__proto__', {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          })
        } else row[columns[c]!] = value
      }
      return row
    }
  }
  const bind = columns.map((_, c) => `c${c} = v[${c}]`).join(', ')
  const fields = columns.map((name, c) => `${JSON.stringify(name)}: c${c}[i] ?? null`).join(', ')
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the code is built from JSON string literals only
  return new Function(
    'v',
    `${columns.length > 0 ? `const ${bind};` : ''} return (i) => ({ ${fields} })`,
  ) as RowsOf
}
