import { SluiceError } from '../../core/sluice-error.js'
import { sqlError, type SqlOrigin } from './sql-error.js'

/** DuckDB's `LINE n: text` marker and the caret line under it. */
const LINE_MARK = /^LINE (\d+): (.*)\n( *)\^/m

/**
 * Turns an error DuckDB raised for a wrapped task query into `E_SQL`: DuckDB's line is mapped
 * back through the CTE wrapper (`lineOffset` lines) to the user's SQL, and its caret to a column
 * of that line. Errors without a position (conversion errors while reading data, for example)
 * keep the task and the message.
 */
export function duckdbSqlError(
  e: unknown,
  origin: SqlOrigin,
  lineOffset: number,
  inputs: readonly string[],
): SluiceError {
  if (e instanceof SluiceError) return e
  const raw = e instanceof Error ? e.message : String(e)
  const m = LINE_MARK.exec(raw)
  const head = (m ? raw.slice(0, m.index) : raw)
    .replace(/^Failed to extract statements: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ')
  let line: number | undefined
  let col: number | undefined
  if (m) {
    const userLine = Number(m[1]) - lineOffset
    const text = origin.text.split('\n')[userLine - 1]
    if (userLine >= 1 && text !== undefined) {
      line = userLine
      const shown = m[2]!
      const caret = m[3]!.length - `LINE ${m[1]}: `.length
      const dots = shown.startsWith('...') ? 3 : 0
      const core = shown.slice(dots).replace(/\.\.\.$/, '')
      const at = core === '' ? 0 : Math.max(0, text.indexOf(core))
      col = at + caret - dots + 1
      if (col < 1 || col > text.length + 1) col = undefined
    }
  }
  const kind = /^([A-Za-z ]+?) Error:/.exec(head)?.[1]
  // resource and I/O trouble may pass on another attempt; a wrong query never does
  const transient = kind === 'IO' || kind === 'Out of Memory' || kind === 'Interrupt'
  const names = inputs.length ? inputs.join(', ') : 'none'
  const hint =
    kind === 'Binder' || kind === 'Catalog'
      ? `check the table and column names; upstream datasets are tables named after their tasks (here: ${names}), or use {{ ref('task') }}`
      : kind === 'Parser'
        ? 'fix the SQL syntax near the caret; `sluice render PIPELINE TASK` prints the SQL as it runs'
        : 'check the SQL and the data it reads; `sluice render PIPELINE TASK` prints the SQL as it runs'
  return sqlError(origin, { line, col }, head, {
    hint,
    cause: e,
    ...(transient && { code: 'E_TASK_FAILED' as const, retryable: true }),
  })
}
