import { SluiceError } from './sluice-error.js'
import { formatIssue, type ValidationIssue } from './validation-issue.js'

/** Thrown when a pipeline definition has errors; carries every issue found, not just the first. */
export class DefinitionError extends SluiceError {
  override readonly name = 'DefinitionError'
  readonly issues: readonly ValidationIssue[]

  constructor(issues: readonly ValidationIssue[]) {
    const errors = issues.filter((i) => i.severity === 'error')
    const first = errors[0] ?? issues[0]
    super(first?.code ?? 'E_INTERNAL', `${errors.length} error(s) in pipeline definition`, {
      location: first,
    })
    this.issues = issues
  }

  override toLine(): string {
    return this.issues.map(formatIssue).join('\n')
  }
}
