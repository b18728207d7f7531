import type { Connector } from '../../data/connector-contract.js'
import { prometheusConnectionOptions } from './prometheus-connection-options.js'
import { PrometheusSource } from './prometheus-source.js'

/**
 * Prometheus (`type: prometheus`, `url: http://host:9090`): a source of range and instant PromQL
 * queries, series and metadata, in long form; incremental on `timestamp`.
 */
export const prometheusConnector = {
  name: 'prometheus',
  schemes: [],
  capabilities: {
    source: true,
    destination: false,
    incremental: true,
    merge: false,
    transactions: false,
    bulk: 'none',
    maxBatchRows: 100_000,
  },
  connectionOptions: prometheusConnectionOptions,
  createSource: (conn, options) => new PrometheusSource(conn, options),
} satisfies Connector & { connectionOptions: unknown }
