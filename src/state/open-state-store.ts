import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { SecretMask } from '../core/secret-mask.js'
import { PostgresStateStore } from './postgres/postgres-state-store.js'
import { SqliteStateStore } from './sqlite/sqlite-state-store.js'
import type { StateStore } from './state-store.js'

export interface OpenStateStoreOptions {
  /** The workspace folder; the embedded store is `<workspace>/state.db`. */
  readonly workspace: string
  /** `postgres://…` to share state between processes and machines (SLUICE_STATE_URL). */
  readonly url?: string
  readonly mask?: SecretMask
}

/** PostgreSQL when a URL is given, else SQLite in the workspace (created if missing). */
export async function openStateStore(options: OpenStateStoreOptions): Promise<StateStore> {
  if (options.url !== undefined && options.url !== '') {
    return PostgresStateStore.open({
      url: options.url,
      ...(options.mask && { mask: options.mask }),
    })
  }
  await mkdir(options.workspace, { recursive: true })
  return SqliteStateStore.open({
    path: join(options.workspace, 'state.db'),
    ...(options.mask && { mask: options.mask }),
  })
}
