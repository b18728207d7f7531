// Writes docs/errors.md from src/core/error-codes.ts (npm run docs:errors).
import { writeFileSync } from 'node:fs'
import { ERROR_CODES } from '../src/core/error-codes.js'

const rows = Object.entries(ERROR_CODES).map(
  ([code, v]) =>
    `| \`${code}\` | ${code.startsWith('W_') ? 'warning' : 'error'} | ${v.retryable ? 'yes' : 'no'} | ${v.summary} |`,
)
const text = `# Error and warning codes

Every problem sluice reports carries one of these codes. Messages say what went wrong, where
(\`file:line:col\`, task, row) and, where possible, how to fix it. \`retryable\` says whether the
engine retries a task that failed with it. This table is generated from
\`src/core/error-codes.ts\` (\`npm run docs:errors\`); a test keeps the two in step.

| code | severity | retryable | meaning |
|---|---|---|---|
${rows.join('\n')}
`
writeFileSync(new URL('../docs/errors.md', import.meta.url), text)
