import type { ErrorCode } from '../../core/error-codes.js'
import { SluiceError } from '../../core/sluice-error.js'

/** The SQL of one task as it was rendered, and where it came from. */
export interface SqlOrigin {
  readonly task: string
  /** The rendered SQL as the user wrote it (templates resolved, no wrapper). */
  readonly text: string
  /** The .sql file shown in messages, when the SQL came from `file:`; else it is inline `sql:`. */
  readonly file?: string
}

export interface SqlErrorAt {
  /** 1-based line in `origin.text`. */
  readonly line?: number
  /** 1-based column in that line. */
  readonly col?: number
  /** 1-based statement number, for scripts of several statements. */
  readonly statement?: number
  readonly statements?: number
}

/**
 * A failed SQL statement as an `E_SQL` error (or the database's own retryable code, e.g. a
 * deadlock): the task, the place in the user's SQL (the .sql file:line:col, or the line of
 * `sql:`), the rendered line with a caret under the column, and a hint. The message carries
 * all of it (run results keep only code and message).
 */
export function sqlError(
  origin: SqlOrigin,
  at: SqlErrorAt,
  dbMessage: string,
  options: { hint: string; code?: ErrorCode; retryable?: boolean; cause?: unknown },
): SluiceError {
  const lines = origin.text.split('\n')
  const line =
    at.line !== undefined && at.line >= 1 && at.line <= lines.length ? at.line : undefined
  const col = line !== undefined ? at.col : undefined
  const stmt =
    at.statement !== undefined
      ? `statement ${at.statement}${at.statements !== undefined ? ` of ${at.statements}` : ''}`
      : undefined
  let where: string
  if (origin.file !== undefined)
    where = [
      stmt,
      line !== undefined
        ? `${origin.file}:${line}${col !== undefined ? `:${col}` : ''}`
        : origin.file,
    ]
      .filter(Boolean)
      .join(' at ')
  else
    where = [
      stmt,
      line !== undefined
        ? `sql: line ${line}${col !== undefined ? `, col ${col}` : ''}`
        : undefined,
    ]
      .filter(Boolean)
      .join(' at ')
  const parts = [`${where ? where + ': ' : ''}${dbMessage}`]
  if (line !== undefined) {
    const n = String(line)
    parts.push(`  ${n} | ${lines[line - 1]!.replace(/\t/g, ' ')}`)
    if (col !== undefined && col >= 1)
      parts.push(`  ${' '.repeat(n.length)} | ${' '.repeat(col - 1)}^`)
  }
  parts.push(`hint: ${options.hint}`)
  return new SluiceError(options.code ?? 'E_SQL', parts.join('\n'), {
    task: origin.task,
    retryable: options.retryable ?? false,
    ...(origin.file !== undefined &&
      line !== undefined && {
        location: { file: origin.file, line, ...(col !== undefined && { col }) },
      }),
    ...(options.cause !== undefined && { cause: options.cause }),
  })
}
