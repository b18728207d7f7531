import type { StateStore } from '../state/state-store.js'
import type { ServiceControl } from './service-control.js'

/** What every route group reads from: the state store, the service, and tunables. */
export interface ApiDeps {
  readonly store: StateStore
  readonly control: ServiceControl
  /** How often a log follow (SSE) polls the store, in ms. */
  readonly pollMs: number
}
