import type { Connector } from '../../data/connector-contract.js'

/** Placeholder: filled in by the influxdb connector work. */
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
} satisfies Connector
