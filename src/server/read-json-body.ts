import type { Context } from 'hono'
import { SluiceError } from '../core/sluice-error.js'

/**
 * The request body parsed as JSON; `undefined` for an empty body. Malformed JSON is an
 * E_BAD_REQUEST (400), never a 500.
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text()
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    throw new SluiceError(
      'E_BAD_REQUEST',
      `malformed JSON body in ${c.req.method} ${c.req.path}: ${(e as Error).message}`,
      { hint: 'send a JSON object with Content-Type: application/json' },
    )
  }
}
