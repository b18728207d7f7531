export { copyTextLine } from './copy-text-line.js'
export { planSchemaChange, type ExistingColumn, type SchemaChange } from './plan-schema-change.js'
export { PostgresConnection } from './postgres-connection.js'
export {
  postgresConnectionOptions,
  type PostgresConnectionOptions,
} from './postgres-connection-options.js'
export { postgresConnector } from './postgres-connector.js'
export { PostgresDestination } from './postgres-destination.js'
export {
  postgresDestinationOptions,
  type PostgresDestinationOptions,
} from './postgres-destination-options.js'
export { postgresError } from './postgres-error.js'
export { PostgresSource, type PostgresWatermark } from './postgres-source.js'
export { postgresTypeParsers } from './postgres-type-parsers.js'
export { postgresTypes } from './postgres-types.js'
export { quoteIdent } from './quote-ident.js'
export { quoteQualified } from './quote-qualified.js'
