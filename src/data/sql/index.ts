export { sqlSchemaDiff, type SqlSchemaDiff } from './sql-schema-diff.js'
export { sqlWatermark, type SqlWatermark } from './sql-watermark.js'
export { sqlSourceOptions, type SqlSourceOptions } from './sql-source-options.js'
export { splitQualifiedName, type QualifiedNameRules } from './split-qualified-name.js'
