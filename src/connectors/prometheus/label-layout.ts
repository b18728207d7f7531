import type { Column } from '../../data/column-type.js'

/** Where each label goes in a row: `labels: columns` (one column per name) or one JSON map. */
export interface LabelLayout {
  readonly mode: 'columns' | 'json'
  /** columns: label name → its column, in sorted name order. */
  readonly columns: ReadonlyMap<string, string>
}

/**
 * The label columns for a set of label names (`__name__` excluded: it is the `metric` column),
 * sorted; a label named like a fixed column (`timestamp`, `metric`, `value`, `labels`, …) becomes
 * `label_<name>`.
 */
export function labelLayout(
  mode: 'columns' | 'json',
  names: Iterable<string>,
  fixed: readonly string[],
): LabelLayout {
  const columns = new Map<string, string>()
  if (mode === 'columns')
    for (const n of [...new Set(names)].filter((n) => n !== '__name__').sort())
      columns.set(n, fixed.includes(n) ? `label_${n}` : n)
  return { mode, columns }
}

/** The schema columns of a layout. */
export function labelColumns(layout: LabelLayout): Column[] {
  if (layout.mode === 'json') return [{ name: 'labels', type: { kind: 'json' }, nullable: false }]
  return [...layout.columns.values()].map((name) => ({
    name,
    type: { kind: 'string' },
    nullable: true,
  }))
}
