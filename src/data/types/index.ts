export { castValue, type CastOptions, type CastResult } from './cast-value.js'
export {
  evolveSchema,
  type EvolveOptions,
  type EvolveResult,
  type SchemaAction,
  type SchemaEvolutionPolicy,
} from './evolve-schema.js'
export { formatColumnType } from './format-column-type.js'
export { formatSchemaDiff } from './format-schema-diff.js'
export { inferColumnType, type InferOptions, type InferredColumnType } from './infer-column-type.js'
export { parseColumnType } from './parse-column-type.js'
export {
  schemaDiff,
  type NullabilityChange,
  type SchemaDiff,
  type TypeChange,
} from './schema-diff.js'
export { widenType } from './widen-type.js'
export type { EpochUnit } from './temporal-instant.js'
