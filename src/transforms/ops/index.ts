export { compileOps, type CompiledOps, type FittedQuery } from './compile-ops.js'
export type { OpInput } from './op-scope.js'
export {
  parseMeasure,
  MEASURE_FUNCTIONS,
  type Measure,
  type MeasureFunction,
} from './parse-measure.js'
export { DEFAULT_SAMPLE_SEED } from './compile-sample.js'
