import { z } from 'zod'

/** Connector kinds the pipeline format knows; each has a folder under src/connectors. */
export const CONNECTOR_KINDS = {
  postgres: { schemes: ['postgres', 'postgresql'] },
  mysql: { schemes: ['mysql', 'mariadb'] },
  sqlite: { schemes: ['sqlite'] },
  http: { schemes: ['http', 'https'] },
  prometheus: { schemes: [] },
  influxdb: { schemes: ['influxdb'] },
} as const satisfies Record<string, { schemes: readonly string[] }>
export type ConnectorKind = keyof typeof CONNECTOR_KINDS

export const connectionObjectSchema = z.looseObject({
  type: z
    .string()
    .optional()
    .describe('Connector kind: postgres, mysql, sqlite, http, prometheus, influxdb.'),
  url: z.string().describe('Connection URL; put secrets in ${env:NAME}.'),
  pool: z.number().int().min(1).max(1000).optional().describe('Connection pool size. Default 4.'),
})

/** A connection: a URL string, or an object with `url:` and options. */
export const connectionSchema = z.union([z.string(), connectionObjectSchema])
export type ConnectionSpec = z.infer<typeof connectionSchema>

/** Which connector a URL or `type:` names, if any. */
export function connectorKindOf(conn: ConnectionSpec): ConnectorKind | undefined {
  if (typeof conn !== 'string' && conn.type !== undefined) {
    return Object.hasOwn(CONNECTOR_KINDS, conn.type) ? (conn.type as ConnectorKind) : undefined
  }
  const url = typeof conn === 'string' ? conn : conn.url
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
  if (scheme === undefined) return undefined
  for (const [kind, { schemes }] of Object.entries(CONNECTOR_KINDS)) {
    if ((schemes as readonly string[]).includes(scheme)) return kind as ConnectorKind
  }
  return undefined
}

export function connectionUrl(conn: ConnectionSpec): string {
  return typeof conn === 'string' ? conn : conn.url
}
