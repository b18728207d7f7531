import {
  createOpenLineageEmitter,
  type OpenLineageEmitter,
} from '../observe/openlineage-emitter.js'

/**
 * The OpenLineage emitter the environment asks for: `SLUICE_OPENLINEAGE_URL` (an endpoint such
 * as Marquez's `http://host:5000/api/v1/lineage`; `SLUICE_OPENLINEAGE_API_KEY` is sent as a
 * bearer token) and/or `SLUICE_OPENLINEAGE_FILE` (JSON lines); undefined when neither is set.
 */
export function openLineageFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  warn: (text: string) => void,
): OpenLineageEmitter | undefined {
  const url = env.SLUICE_OPENLINEAGE_URL || undefined
  const file = env.SLUICE_OPENLINEAGE_FILE || undefined
  if (url === undefined && file === undefined) return undefined
  const key = env.SLUICE_OPENLINEAGE_API_KEY
  return createOpenLineageEmitter({
    ...(url !== undefined && { url }),
    ...(file !== undefined && { file }),
    ...(key && { headers: { authorization: `Bearer ${key}` } }),
    onError: (message) => warn(`warning: ${message}`),
  })
}
