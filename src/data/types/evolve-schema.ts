import { SluiceError } from '../../core/sluice-error.js'
import type { Column, ColumnType, TableSchema } from '../column-type.js'
import { formatColumnType } from './format-column-type.js'
import { formatSchemaDiff } from './format-schema-diff.js'
import { schemaDiff, type SchemaDiff } from './schema-diff.js'
import { widenType } from './widen-type.js'

/** `schema_evolution:` of a destination (src/core/spec/io-schema.ts). */
export type SchemaEvolutionPolicy = 'evolve' | 'freeze' | 'discard_columns'

/** A DDL-level change to the destination table, in order. */
export type SchemaAction =
  { readonly add: Column } | { readonly widen: { readonly name: string; readonly to: ColumnType } }

export type EvolveResult =
  | {
      readonly ok: true
      /** The destination schema after the actions: its columns (widened), then the added ones. */
      readonly schema: TableSchema
      readonly actions: readonly SchemaAction[]
      /** Incoming columns dropped by `discard_columns`. */
      readonly discarded: readonly string[]
      readonly diff: SchemaDiff
    }
  | { readonly ok: false; readonly error: SluiceError; readonly diff: SchemaDiff }

export interface EvolveOptions {
  /** Named in the error message, e.g. `public.orders`. */
  readonly table?: string
}

/**
 * Decides how a destination table (`destination`) takes rows of `incoming` schema.
 *
 * A common column fits as is when its incoming type widens into the destination type (int32 into
 * int64). Otherwise it needs the destination widened to widenType(destination, incoming) (int64
 * into int32 → int64; decimal(10,2) and int64 → decimal(21,2)), or, when there is none, it is an
 * incompatible change. Destination columns the incoming schema lacks are kept (they get NULL or
 * their default); nullability differences are reported in the diff but change nothing: a NULL
 * arriving in a NOT NULL column is a row-level error for the loader.
 *
 * - `evolve`: adds incoming-only columns (always nullable: existing rows have no value) and widens
 *   types; fails on incompatible changes.
 * - `freeze`: no DDL; fails when any column would have to be added or widened, or is incompatible.
 * - `discard_columns`: no DDL; drops incoming-only columns (listed in `discarded`); fails when a
 *   type would have to be widened or is incompatible.
 *
 * A failure is SluiceError E_SCHEMA_DRIFT (not retryable) whose message holds the formatted diff
 * and whose hint names the `schema_evolution` option to change.
 */
export function evolveSchema(
  destination: TableSchema,
  incoming: TableSchema,
  policy: SchemaEvolutionPolicy,
  options: EvolveOptions = {},
): EvolveResult {
  const diff = schemaDiff(destination, incoming)
  const incomingByName = new Map(incoming.columns.map((c) => [c.name, c]))
  const actions: SchemaAction[] = []
  const problems = { add: 0, widen: 0, incompatible: 0 }
  const columns: Column[] = destination.columns.map((dest) => {
    const inc = incomingByName.get(dest.name)
    if (inc === undefined) return dest
    const wide = widenType(dest.type, inc.type)
    if (wide === undefined) {
      problems.incompatible++
      return dest
    }
    if (formatColumnType(wide) === formatColumnType(dest.type)) return dest
    if (policy !== 'evolve') {
      problems.widen++
      return dest
    }
    actions.push({ widen: { name: dest.name, to: wide } })
    return { ...dest, type: wide }
  })
  const discarded: string[] = []
  for (const col of diff.added) {
    if (policy === 'evolve') {
      const add = { ...col, nullable: true }
      actions.push({ add })
      columns.push(add)
    } else if (policy === 'discard_columns') {
      discarded.push(col.name)
    } else {
      problems.add++
    }
  }
  if (problems.add + problems.widen + problems.incompatible === 0) {
    return { ok: true, schema: { columns }, actions, discarded, diff }
  }
  const where = options.table === undefined ? 'the destination' : `\`${options.table}\``
  const hints: string[] = []
  if (problems.add > 0 || problems.widen > 0) {
    hints.push(
      'set `schema_evolution: evolve` on the destination to add columns and widen types' +
        (problems.add > 0 ? ', or `schema_evolution: discard_columns` to drop new columns' : ''),
    )
  }
  if (problems.incompatible > 0) {
    hints.push(
      'an incompatible type change is never automatic (`schema_evolution` cannot allow it): cast the column explicitly in a sql step, or recreate the table with `mode: replace`',
    )
  }
  const error = new SluiceError(
    'E_SCHEMA_DRIFT',
    `incoming schema does not fit ${where} under \`schema_evolution: ${policy}\`:\n${formatSchemaDiff(diff)}`,
    { hint: hints.join('; ') },
  )
  return { ok: false, error, diff }
}
