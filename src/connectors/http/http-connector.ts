import type { Connector } from '../../data/connector-contract.js'

/** Placeholder: filled in by the http connector work. */
export const httpConnector = {
  name: 'http',
  schemes: ['http', 'https'],
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
