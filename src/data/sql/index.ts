export { sqlSchemaDiff, type SqlSchemaDiff } from './sql-schema-diff.js'
export { sqlWatermark, type SqlWatermark } from './sql-watermark.js'
