export { prometheusConnector } from './prometheus-connector.js'
export {
  prometheusConnectionOptions,
  type PrometheusConnectionOptions,
} from './prometheus-connection-options.js'
export { PrometheusClient } from './prometheus-client.js'
export { PrometheusSource } from './prometheus-source.js'
export { parsePromTime } from './parse-prom-time.js'
export { planChunks, type Chunk } from './plan-chunks.js'
export { parseSampleValue, DROP, type NonFinitePolicy } from './parse-sample-value.js'
export { labelLayout, labelColumns, type LabelLayout } from './label-layout.js'
export {
  prometheusApiError,
  prometheusNetworkError,
  type PrometheusCall,
} from './prometheus-error.js'
