import { join, resolve } from 'node:path'
import type { SecretMask } from '../core/secret-mask.js'
import type { StateStore } from '../state/state-store.js'
import type { CliIo } from './cli-io.js'

/** What every command gets: I/O, and where state lives. */
export interface CliContext {
  readonly io: CliIo
  readonly workspace: () => string
  readonly openStore: (mask?: SecretMask) => Promise<StateStore>
  /** Who is acting, for the audit log. */
  readonly actor: string
}

export function cliContext(io: CliIo, workspaceOption: () => string | undefined): CliContext {
  const workspace = () =>
    resolve(io.cwd, workspaceOption() ?? io.env.SLUICE_HOME ?? join(io.cwd, '.sluice'))
  return {
    io,
    workspace,
    // imported on first use: validate, plan and schema never load the database drivers
    openStore: async (mask) => {
      const { openStateStore } = await import('../state/open-state-store.js')
      return openStateStore({
        workspace: workspace(),
        url: io.env.SLUICE_STATE_URL,
        ...(mask && { mask }),
      })
    },
    actor: `cli:${io.env.USER ?? io.env.LOGNAME ?? 'unknown'}`,
  }
}

/** Opens the store, runs `fn`, closes the store. */
export async function withStore<T>(
  ctx: CliContext,
  fn: (store: StateStore) => Promise<T>,
  mask?: SecretMask,
): Promise<T> {
  const store = await ctx.openStore(mask)
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}
