export {
  DEFAULT_TRANSFORM_MEMORY_MB,
  type CodeTransformOptions,
  type CodeTransformReject,
  type CodeTransformRun,
  type InlineTransform,
  type OnRecordError,
  type Row,
  type TransformContext,
  type TransformMode,
} from './code-transform-options.js'
export {
  createOutputSchemaSettler,
  type OutputSchemaSettler,
} from './create-output-schema-settler.js'
export { loadTransformModule } from './load-transform-module.js'
export { resolveTransformFunction, type ResolvedTransform } from './resolve-transform-function.js'
export { runCodeTransform } from './run-code-transform.js'
