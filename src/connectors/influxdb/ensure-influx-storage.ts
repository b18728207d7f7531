import { SluiceError } from '../../core/sluice-error.js'
import type { InfluxClient } from './influxdb-client.js'

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  u: 1e-6,
  µ: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
}

/** An InfluxQL identifier in double quotes. */
export function quoteInfluxIdent(name: string): string {
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

/** Seconds of an InfluxDB duration literal (`30d`, `1h30m`); 0 for INF. */
export function influxDurationSeconds(d: string): number {
  if (/^inf$/i.test(d)) return 0
  let total = 0
  for (const m of d.matchAll(/(\d+)(ns|u|µ|ms|s|m|h|d|w)/g))
    total += Number(m[1]) * UNIT_SECONDS[m[2]!]!
  return Math.round(total)
}

/**
 * Before a load: creates the database (v1 `CREATE DATABASE`, idempotent) or the bucket (v2) unless
 * `create: false`, then creates or alters the configured retention policy (v1 `CREATE`/`ALTER
 * RETENTION POLICY` through POST /query) or sets the bucket's retention rule (v2 /api/v2/buckets).
 */
export async function ensureInfluxStorage(
  client: InfluxClient,
  signal: AbortSignal | undefined,
  log: (text: string) => void,
): Promise<void> {
  if (client.version === 1) await ensureV1(client, signal, log)
  else await ensureV2(client, signal, log)
}

async function ensureV1(
  client: InfluxClient,
  signal: AbortSignal | undefined,
  log: (text: string) => void,
): Promise<void> {
  const o = client.options
  const db = quoteInfluxIdent(o.database!)
  const opts = signal ? { signal } : {}
  if (o.create !== false) await client.influxql(`CREATE DATABASE ${db}`, opts)
  const r = o.retention
  if (!r) return
  const name = r.name ?? 'sluice'
  const results = await client.influxql(`SHOW RETENTION POLICIES ON ${db}`, opts)
  const values = results[0]?.series?.[0]?.values ?? []
  const existing = values.find((v) => v[0] === name)
  let spec = `DURATION ${r.duration} REPLICATION ${r.replication ?? 1}`
  if (r.shard_duration) spec += ` SHARD DURATION ${r.shard_duration}`
  if (r.default) spec += ' DEFAULT'
  if (!existing) {
    await client.influxql(
      `CREATE RETENTION POLICY ${quoteInfluxIdent(name)} ON ${db} ${spec}`,
      opts,
    )
    log(`influxdb: created retention policy ${name} on ${o.database} (${spec})`)
    return
  }
  const sameDuration =
    influxDurationSeconds(String(existing[1])) === influxDurationSeconds(r.duration)
  const sameDefault = existing[4] === (r.default ?? existing[4])
  const sameReplication = existing[3] === (r.replication ?? 1)
  if (sameDuration && sameDefault && sameReplication && !r.shard_duration) return
  await client.influxql(`ALTER RETENTION POLICY ${quoteInfluxIdent(name)} ON ${db} ${spec}`, opts)
  log(`influxdb: altered retention policy ${name} on ${o.database} (${spec})`)
}

interface Bucket {
  readonly id: string
  readonly retentionRules?: readonly { everySeconds?: number }[]
}

async function ensureV2(
  client: InfluxClient,
  signal: AbortSignal | undefined,
  log: (text: string) => void,
): Promise<void> {
  const o = client.options
  const base = { ...(signal && { signal }), headers: { 'Content-Type': 'application/json' } }
  const res = await client.request({
    ...base,
    method: 'GET',
    path: `/api/v2/buckets?${new URLSearchParams({ org: o.org!, name: o.bucket! })}`,
    what: `look up bucket ${o.bucket}`,
  })
  const found = ((await res.json()) as { buckets?: Bucket[] }).buckets?.[0]
  const rules = o.retention
    ? [{ type: 'expire', everySeconds: influxDurationSeconds(o.retention.duration) }]
    : undefined
  if (!found) {
    if (o.create === false)
      throw new SluiceError('E_INFLUX_WRITE', `bucket ${o.bucket} does not exist in org ${o.org}`, {
        hint: 'create it, or drop create: false from the connection',
      })
    const orgs = await client.request({
      ...base,
      method: 'GET',
      path: `/api/v2/orgs?${new URLSearchParams({ org: o.org! })}`,
      what: `look up org ${o.org}`,
    })
    const orgID = ((await orgs.json()) as { orgs?: { id: string }[] }).orgs?.[0]?.id
    if (!orgID) throw new SluiceError('E_INFLUX_WRITE', `org ${o.org} not found on ${client.name}`)
    await client.request({
      ...base,
      method: 'POST',
      path: '/api/v2/buckets',
      body: JSON.stringify({ orgID, name: o.bucket, retentionRules: rules ?? [] }),
      what: `create bucket ${o.bucket}`,
    })
    log(`influxdb: created bucket ${o.bucket}`)
    return
  }
  if (!rules || found.retentionRules?.[0]?.everySeconds === rules[0]!.everySeconds) return
  await client.request({
    ...base,
    method: 'PATCH',
    path: `/api/v2/buckets/${encodeURIComponent(found.id)}`,
    body: JSON.stringify({ retentionRules: rules }),
    what: `set retention of bucket ${o.bucket}`,
  })
  log(`influxdb: set retention of bucket ${o.bucket} to ${o.retention!.duration}`)
}
