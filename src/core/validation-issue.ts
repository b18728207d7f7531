import type { ErrorCode } from './error-codes.js'
import { formatLocation, type SourceLocation } from './source-location.js'

export type Severity = 'error' | 'warning'

/** One problem found in a pipeline definition. Validation collects all of them. */
export interface ValidationIssue extends SourceLocation {
  readonly severity: Severity
  readonly code: ErrorCode
  readonly message: string
  /** A concrete fix, e.g. "did you mean `orders`?". */
  readonly suggestion?: string
}

/** `file:line:col error CODE message; suggestion` — one line per issue. */
export function formatIssue(issue: ValidationIssue): string {
  const where = formatLocation(issue)
  const path = issue.path !== undefined && issue.line !== undefined ? ` [${issue.path}]` : ''
  const fix = issue.suggestion !== undefined ? `; ${issue.suggestion}` : ''
  return `${where ? where + ' ' : ''}${issue.severity} ${issue.code} ${issue.message}${fix}${path}`
}

export function hasErrors(issues: readonly ValidationIssue[]): boolean {
  return issues.some((i) => i.severity === 'error')
}

/** Stable order: by file, line, column, then code. */
export function sortIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return [...issues].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0) ||
      a.code.localeCompare(b.code),
  )
}
