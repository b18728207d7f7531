import pg from 'pg'
import type { LeaderLock } from './leader-lock.js'

export interface PostgresLeaderLockOptions {
  /** The state store's `postgres://…` URL. */
  readonly url: string
  /** Names the lock; schedulers sharing a state store must use the same. Default `sluice:scheduler`. */
  readonly name?: string
  /** Default 5000. */
  readonly connectTimeoutMs?: number
  /** Called when the lock connection fails (for logging); the lock just stays lost until re-acquired. */
  readonly onError?: (error: Error) => void
}

/** A signed 64-bit advisory lock key from a name (FNV-1a), stable across processes and versions. */
export function advisoryKey(name: string): string {
  let h = 0xcbf29ce484222325n
  for (const byte of new TextEncoder().encode(name)) {
    h ^= BigInt(byte)
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return BigInt.asIntN(64, h).toString()
}

/**
 * Leadership through `pg_try_advisory_lock` on a dedicated connection held open. PostgreSQL
 * releases a session lock when its connection ends, so a leader that dies (or whose connection
 * breaks) loses leadership by itself and another scheduler gets it at its next acquire(); each
 * acquire() on the leader first checks the connection is still alive.
 */
export class PostgresLeaderLock implements LeaderLock {
  private client: pg.Client | undefined
  private held = false
  private readonly key: string

  constructor(private readonly options: PostgresLeaderLockOptions) {
    this.key = advisoryKey(options.name ?? 'sluice:scheduler')
  }

  get isLeader(): boolean {
    return this.held
  }

  /** The backend pid of the lock connection (tests terminate it to simulate a dead leader). */
  get pid(): number | undefined {
    return (this.client as { processID?: number } | undefined)?.processID
  }

  async acquire(): Promise<boolean> {
    try {
      const client = await this.connection()
      if (this.held) {
        await client.query('SELECT 1')
        return true
      }
      const { rows } = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock($1::bigint) AS ok',
        [this.key],
      )
      this.held = rows[0]?.ok === true
      return this.held
    } catch (e) {
      this.drop(e)
      return false
    }
  }

  async release(): Promise<void> {
    const client = this.client
    this.client = undefined
    this.held = false
    if (!client) return
    // ending the session releases the lock; no unlock round trip needed
    await client.end().catch(() => undefined)
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5000,
    })
    client.on('error', (e) => this.drop(e, client))
    client.on('end', () => this.drop(undefined, client))
    this.client = client
    try {
      await client.connect()
    } catch (e) {
      this.drop(e, client)
      throw e
    }
    return client
  }

  private drop(error: unknown, which?: pg.Client): void {
    if (which !== undefined && which !== this.client) return
    const client = this.client
    this.client = undefined
    this.held = false
    if (error !== undefined)
      this.options.onError?.(
        error instanceof Error
          ? error
          : new Error(`lock connection failed: ${JSON.stringify(error)}`),
      )
    client?.end().catch(() => undefined)
  }
}
