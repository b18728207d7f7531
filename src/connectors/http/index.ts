export { httpConnector } from './http-connector.js'
export { HttpClient, type HttpRequest, type HttpResponse } from './http-client.js'
export {
  httpConnectionOptions,
  httpAuthSchema,
  type HttpAuth,
  type HttpConnectionOptions,
} from './http-connection-options.js'
export { HttpDestination } from './http-destination.js'
export { HttpSource } from './http-source.js'
export { HttpPaginator, type PageState } from './http-paginator.js'
export { jsonPath, jsonPathFirst, checkJsonPath } from './json-path.js'
export { parseRetryAfter } from './parse-retry-after.js'
export { RateLimiter, sharedRateLimiter } from './rate-limiter.js'
