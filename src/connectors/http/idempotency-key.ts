import { createHash } from 'node:crypto'

/**
 * A batch's idempotency key: the SHA-256 of the endpoint, the batch's position in the load and its
 * body, so the same batch sent again (a retry, a rerun of the same rows) carries the same key.
 */
export function idempotencyKey(endpoint: string, batchIndex: number, body: string): string {
  return createHash('sha256')
    .update(endpoint)
    .update('\n')
    .update(String(batchIndex))
    .update('\n')
    .update(body)
    .digest('hex')
}
