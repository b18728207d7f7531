import type { Connector } from '../../data/connector-contract.js'
import { influxdbConnectionOptions } from './influxdb-connection-options.js'
import { InfluxdbDestination } from './influxdb-destination.js'
import { InfluxdbSource } from './influxdb-source.js'

/**
 * InfluxDB 1.x and 2.x (`{ type: influxdb, url: http://host:8086, version: 1 | 2 }`): points
 * written as line protocol (destination), InfluxQL or Flux queries read as rows (source),
 * incremental by time, watermark kept as a `_sluice_state` point. No transactions: at-least-once.
 */
export const influxdbConnector = {
  name: 'influxdb',
  schemes: ['influxdb'],
  capabilities: {
    source: true,
    destination: true,
    incremental: true,
    merge: false,
    transactions: false,
    bulk: 'none',
    maxBatchRows: 100_000,
  },
  connectionOptions: influxdbConnectionOptions,
  createSource: (conn, options) => new InfluxdbSource(conn, options),
  createDestination: (conn, options) => new InfluxdbDestination(conn, options),
} satisfies Connector & { connectionOptions: unknown }
