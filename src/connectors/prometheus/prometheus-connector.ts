import type { Connector } from '../../data/connector-contract.js'

/** Placeholder: filled in by the prometheus connector work. */
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
} satisfies Connector
