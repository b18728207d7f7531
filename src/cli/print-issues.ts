import type { SecretMask } from '../core/secret-mask.js'
import { formatIssue, type ValidationIssue } from '../core/validation-issue.js'
import type { CliIo } from './cli-io.js'

/** One line per issue on stderr, secrets masked, red/yellow on a TTY. */
export function printIssues(
  io: CliIo,
  issues: readonly ValidationIssue[],
  secrets?: SecretMask,
): void {
  for (const issue of issues) {
    let line = formatIssue(issue)
    if (secrets) line = secrets.mask(line)
    if (io.isTty) line = `\u001b[${issue.severity === 'error' ? 31 : 33}m${line}\u001b[0m`
    io.err(line)
  }
}

export function maskIssues(
  issues: readonly ValidationIssue[],
  secrets: SecretMask,
): ValidationIssue[] {
  return issues.map((i) => ({
    ...i,
    message: secrets.mask(i.message),
    ...(i.suggestion !== undefined && { suggestion: secrets.mask(i.suggestion) }),
  }))
}
