import { SluiceError } from '../../core/sluice-error.js'
import { connectionUrl } from '../../core/spec/connection-schema.js'
import type { PipelineSpec } from '../../core/spec/pipeline-spec.js'
import type { ConnectionConfig, Destination, Source } from '../../data/connector-contract.js'
import type { ConnectorRegistry } from '../../connectors/connector-registry.js'

type IoSpec = { readonly connection?: string; readonly path?: string } & Readonly<
  Record<string, unknown>
>

/** The connection a source or destination names (files without one get a `file:` connection at baseDir). */
export function connectionFor(
  spec: PipelineSpec,
  io: IoSpec,
  baseDir: string,
): { conn: ConnectionConfig; type?: string } {
  if (io.connection === undefined) {
    return { conn: { name: 'file', url: `file://${baseDir}`, options: {} }, type: 'file' }
  }
  const c = spec.connections?.[io.connection]
  if (c === undefined)
    throw new SluiceError('E_CONNECTION_UNKNOWN', `connection "${io.connection}" is not defined`)
  const { url: _url, type, ...options } = typeof c === 'string' ? { url: c, type: undefined } : c
  return {
    conn: { name: io.connection, url: connectionUrl(c), options },
    ...(typeof type === 'string' && { type }),
  }
}

export function openSource(
  registry: ConnectorRegistry,
  spec: PipelineSpec,
  io: IoSpec,
  baseDir: string,
): Source {
  const { conn, type } = connectionFor(spec, io, baseDir)
  const connector = registry.resolve(conn.url, type)
  if (!connector.createSource) {
    throw new SluiceError(
      'E_CONNECTOR_UNKNOWN',
      `the ${connector.name} connector cannot be a source`,
    )
  }
  return connector.createSource(conn, io)
}

export function openDestination(
  registry: ConnectorRegistry,
  spec: PipelineSpec,
  io: IoSpec,
  baseDir: string,
): Destination {
  const { conn, type } = connectionFor(spec, io, baseDir)
  const connector = registry.resolve(conn.url, type)
  if (!connector.createDestination) {
    throw new SluiceError(
      'E_CONNECTOR_UNKNOWN',
      `the ${connector.name} connector cannot be a destination`,
    )
  }
  return connector.createDestination(conn, io)
}
