import type { Column } from '../column-type.js'
import { formatColumnType } from './format-column-type.js'
import type { SchemaDiff } from './schema-diff.js'
import { widenType } from './widen-type.js'

const column = (c: Column): string =>
  `${c.name} ${formatColumnType(c.type)}${c.nullable ? '' : ' not null'}`
const nullText = (nullable: boolean): string => (nullable ? 'null' : 'not null')

/**
 * One line per difference, e.g.
 * ```
 * + added    email string
 * - removed  legacy_id int64 not null
 * ~ widened  amount int32 -> int64
 * ! changed  qty int64 -> int32 (narrowing)
 * ! changed  created_at date -> binary (incompatible)
 * ? nullable name not null -> null
 * ```
 * or `no differences`.
 */
export function formatSchemaDiff(diff: SchemaDiff): string {
  const lines = [
    ...diff.added.map((c) => `+ added    ${column(c)}`),
    ...diff.removed.map((c) => `- removed  ${column(c)}`),
    ...diff.widened.map(
      (w) => `~ widened  ${w.name} ${formatColumnType(w.from)} -> ${formatColumnType(w.to)}`,
    ),
    ...diff.changed.map((c) => {
      const back = widenType(c.to, c.from)
      const narrowing = back !== undefined && formatColumnType(back) === formatColumnType(c.from)
      const why = narrowing
        ? 'narrowing'
        : back === undefined
          ? 'incompatible'
          : 'needs a wider type'
      return `! changed  ${c.name} ${formatColumnType(c.from)} -> ${formatColumnType(c.to)} (${why})`
    }),
    ...diff.nullability.map((n) => `? nullable ${n.name} ${nullText(n.from)} -> ${nullText(n.to)}`),
  ]
  return lines.length === 0 ? 'no differences' : lines.join('\n')
}
