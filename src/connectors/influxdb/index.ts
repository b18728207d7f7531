export { influxdbConnector } from './influxdb-connector.js'
export {
  influxdbConnectionOptions,
  type InfluxdbConnectionOptions,
} from './influxdb-connection-options.js'
export { InfluxClient, influxErrorText, parseRetryAfter } from './influxdb-client.js'
export { InfluxdbDestination, STATE_MEASUREMENT } from './influxdb-destination.js'
export { InfluxdbSource, INFLUX_MIN_TIME } from './influxdb-source.js'
export { lineProtocol } from './line-protocol.js'
export { PointEncoder } from './point-encoder.js'
export { FluxCsvParser, fluxColumnType, type FluxRow, type FluxTable } from './flux-csv-parser.js'
export { FluxReader } from './flux-reader.js'
export { InfluxqlReader } from './influxql-reader.js'
export { addTimeCondition } from './influxql-since.js'
export { InfluxTimeEncoder, influxTimeToTimestamptz, rfc3339ToNanos } from './influxdb-time.js'
export { influxWriteError, findOffendingLine, type WrittenBatch } from './influxdb-write-error.js'
export {
  ensureInfluxStorage,
  influxDurationSeconds,
  quoteInfluxIdent,
} from './ensure-influx-storage.js'
export { readInfluxWatermark, influxqlString, fluxString } from './influxdb-watermark.js'
