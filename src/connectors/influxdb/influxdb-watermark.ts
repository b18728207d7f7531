import { SluiceError } from '../../core/sluice-error.js'
import type { WatermarkRef } from '../../data/connector-contract.js'
import { quoteInfluxIdent } from './ensure-influx-storage.js'
import { FluxCsvParser } from './flux-csv-parser.js'
import type { InfluxClient } from './influxdb-client.js'

/** An InfluxQL string literal. */
export function influxqlString(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`
}

/** A Flux string literal. */
export function fluxString(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, '\\${')
}

/**
 * The watermark last committed for (pipeline, key): the `value` (JSON text) of the latest
 * `_sluice_state` point with those tags; undefined when there is none (or no database yet).
 */
export async function readInfluxWatermark(
  client: InfluxClient,
  ref: WatermarkRef,
): Promise<unknown> {
  let text: unknown
  if (client.version === 1) {
    const o = client.options
    const rp = client.retentionPolicy
    const from = rp
      ? `${quoteInfluxIdent(o.database!)}.${quoteInfluxIdent(rp)}."_sluice_state"`
      : '"_sluice_state"'
    const q = `SELECT last("value") FROM ${from} WHERE "pipeline" = ${influxqlString(ref.pipeline)} AND "key" = ${influxqlString(ref.key)}`
    try {
      const results = await client.influxql(q, { db: o.database! })
      text = results[0]?.series?.[0]?.values?.[0]?.[1]
    } catch (e) {
      if (
        e instanceof SluiceError &&
        /database not found|retention policy not found/.test(e.message)
      )
        return undefined
      throw e
    }
  } else {
    const bucket = client.options.bucket!
    const res = await client.flux(
      `from(bucket: ${fluxString(bucket)}) |> range(start: 0) |> filter(fn: (r) => r._measurement == "_sluice_state" and r.pipeline == ${fluxString(ref.pipeline)} and r.key == ${fluxString(ref.key)} and r._field == "value") |> last()`,
    )
    const parser = new FluxCsvParser()
    const rows = [...parser.push(await res.text()), ...parser.end()]
    const row = rows[rows.length - 1]
    if (row) {
      const i = row.table.columns.findIndex((c) => c.name === '_value')
      text = i >= 0 ? row.values[i] : undefined
    }
  }
  if (typeof text !== 'string') return undefined
  return JSON.parse(text) as unknown
}
