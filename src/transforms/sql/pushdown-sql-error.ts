import type { SluiceError } from '../../core/sluice-error.js'
import type { SqlStatementFailure } from '../../data/connector-contract.js'
import { sqlError, type SqlOrigin } from './sql-error.js'
import { lineAt, type SqlStatement } from './split-sql-statements.js'

/**
 * A statement that failed inside the database, located in the user's SQL: the database's offset
 * (PostgreSQL) or line (MySQL) inside the statement becomes a line (and column) of the script;
 * otherwise the statement's first line. Retryable database errors (deadlock, lost connection)
 * keep their code; the rest are `E_SQL`.
 */
export function pushdownSqlError(
  origin: SqlOrigin,
  statements: readonly SqlStatement[],
  failure: SqlStatementFailure,
  connection: string,
): SluiceError {
  const stmt = statements[failure.statement]
  let line: number | undefined = stmt?.line
  let col: number | undefined
  if (stmt && failure.offset !== undefined) {
    const abs = stmt.offset + failure.offset
    line = lineAt(origin.text, abs)
    col = abs - origin.text.lastIndexOf('\n', abs - 1)
  } else if (stmt && failure.line !== undefined) line = stmt.line + failure.line - 1
  const retry = failure.error.retryable
  return sqlError(
    origin,
    { line, col, statement: failure.statement + 1, statements: statements.length },
    failure.error.message,
    {
      hint: retry
        ? `nothing was committed in ${connection}; another attempt may pass`
        : `nothing was committed in ${connection} (the statements run in one transaction); fix statement ${failure.statement + 1}`,
      ...(retry && { code: failure.error.code, retryable: true }),
      cause: failure.error,
    },
  )
}
