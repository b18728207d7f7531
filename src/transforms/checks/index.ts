export type { CheckResult, Json } from './check-result.js'
export type { CheckTarget } from './check-target.js'
export { checkName } from './check-name.js'
export { checkTypeOf } from './check-type-of.js'
export {
  compileCheck,
  PREVIOUS_COLUMN,
  ROW_COLUMN,
  type CheckOutcome,
  type CompileCheckOptions,
  type CompiledCheck,
} from './compile-check.js'
export { runChecks, type RunChecksOptions } from './run-checks.js'
