import { SluiceError } from '../core/sluice-error.js'
import { didYouMean } from '../core/suggest.js'
import type { Connector } from '../data/connector-contract.js'

/**
 * Connectors by name and URL scheme. Built-ins are registered by the CLI and `run()`; a third
 * party package calls `registry.register(myConnector)` with its own.
 */
export class ConnectorRegistry {
  private readonly byName = new Map<string, Connector>()
  private readonly byScheme = new Map<string, Connector>()

  register(connector: Connector): this {
    if (this.byName.has(connector.name)) {
      throw new SluiceError('E_USAGE', `a connector named ${connector.name} is already registered`)
    }
    this.byName.set(connector.name, connector)
    for (const s of connector.schemes) this.byScheme.set(s.toLowerCase(), connector)
    return this
  }

  /** By `type:` name, else by the URL's scheme. */
  resolve(url: string, type?: string): Connector {
    if (type !== undefined) {
      const c = this.byName.get(type)
      if (c) return c
      throw new SluiceError('E_CONNECTOR_UNKNOWN', `no connector named "${type}"`, {
        hint:
          didYouMean(type, this.byName.keys()) ??
          `registered: ${[...this.byName.keys()].join(', ')}`,
      })
    }
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
    const c = scheme === undefined ? undefined : this.byScheme.get(scheme)
    if (c) return c
    throw new SluiceError(
      'E_CONNECTOR_UNKNOWN',
      `no connector handles "${scheme ?? url.slice(0, 20)}" URLs`,
      {
        hint:
          didYouMean(scheme ?? '', this.byScheme.keys()) ??
          `schemes: ${[...this.byScheme.keys()].join(', ')}`,
      },
    )
  }

  get names(): string[] {
    return [...this.byName.keys()]
  }
}
