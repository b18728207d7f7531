import type { Connector } from '../../data/connector-contract.js'
import { httpConnectionOptions } from './http-connection-options.js'
import { HttpDestination } from './http-destination.js'
import { httpDestinationOptions } from './http-destination-options.js'
import { HttpSource } from './http-source.js'
import { httpSourceOptions } from './http-source-options.js'

/**
 * HTTP/REST APIs (`{ type: http, url: https://… }`): JSON records read page by page (offset,
 * page, cursor, Link header, next URL) with auth, a shared rate limit, retries and page
 * checkpoints; batches POSTed as JSON or JSONL with idempotency keys.
 */
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
  connectionOptions: httpConnectionOptions,
  sourceOptions: httpSourceOptions,
  destinationOptions: httpDestinationOptions,
  createSource: (conn, options) => new HttpSource(conn, options),
  createDestination: (conn, options) => new HttpDestination(conn, options),
} satisfies Connector & { connectionOptions: unknown }
