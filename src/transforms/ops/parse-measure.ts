import { SluiceError } from '../../core/sluice-error.js'
import { didYouMean } from '../../core/suggest.js'

/** The functions an `aggregate` measure may use. */
export const MEASURE_FUNCTIONS = [
  'count',
  'count_distinct',
  'sum',
  'avg',
  'min',
  'max',
  'median',
  'percentile',
  'stddev',
  'variance',
] as const

export type MeasureFunction = (typeof MEASURE_FUNCTIONS)[number]

/** A parsed measure: `percentile(amount, 0.95)` → { fn: 'percentile', column: 'amount', arg: 0.95 }. */
export interface Measure {
  readonly fn: MeasureFunction
  /** A column name, or `*` (count only). */
  readonly column: string
  readonly arg?: number
}

const SHAPE =
  /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(\*|[A-Za-z_][A-Za-z0-9_]*|"(?:[^"]|"")+")\s*(?:,\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*)?\)\s*$/

const HINT = `write function(column), e.g. sum(amount), count(*), percentile(amount, 0.95); functions: ${MEASURE_FUNCTIONS.join(', ')}; quote odd column names with double quotes`

function invalid(text: string, why: string, hint = HINT): SluiceError {
  return new SluiceError('E_SCHEMA_VALUE', `measure \`${text}\`: ${why}`, { hint })
}

/**
 * Parses one aggregate measure with a small strict grammar: a function from MEASURE_FUNCTIONS,
 * one column (bare, or double-quoted with `""` for a quote) or `*` for count, and a numeric
 * argument for percentile (0–1). It is never raw SQL. Throws E_SCHEMA_VALUE otherwise.
 */
export function parseMeasure(text: string): Measure {
  const m = SHAPE.exec(text)
  if (!m) throw invalid(text, 'not of the form function(column)')
  const name = m[1]!.toLowerCase()
  const fn = MEASURE_FUNCTIONS.find((f) => f === name)
  if (fn === undefined) {
    const dym = didYouMean(name, MEASURE_FUNCTIONS)
    throw invalid(text, `unknown function ${m[1]}`, dym === undefined ? HINT : `${dym} ${HINT}`)
  }
  const raw = m[2]!
  const column = raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw
  if (raw === '*' && fn !== 'count') throw invalid(text, `${fn}(*) is not allowed; only count(*)`)
  const argText = m[3]
  if (fn === 'percentile') {
    if (argText === undefined)
      throw invalid(text, 'percentile needs a fraction: percentile(x, 0.95)')
    const arg = Number(argText)
    if (!(arg >= 0 && arg <= 1))
      throw invalid(text, `percentile fraction ${argText} is not between 0 and 1`)
    return { fn, column, arg }
  }
  if (argText !== undefined) throw invalid(text, `${fn} takes one column and no second argument`)
  return { fn, column }
}
