import { z } from 'zod'

/** `source.influxdb:` — an InfluxQL (v1) or Flux (v2) query. */
export const influxdbSourceSchema = z.looseObject({})

/** `destination.influxdb:` — how columns map to measurement, tags, fields and time. */
export const influxdbDestinationSchema = z.looseObject({})
