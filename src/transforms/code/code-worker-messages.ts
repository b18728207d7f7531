import type { MessagePort } from 'node:worker_threads'
import type { TransformMode } from './code-transform-options.js'
import type { InputChunk, OutputChunk } from './apply-transform.js'

/** The one piscina task of a code transform run: everything else travels over `port`. */
export interface CodeWorkerTask {
  readonly port: MessagePort
  readonly module: string
  readonly exportName: string | undefined
  readonly mode: TransformMode | undefined
  readonly maxRejects: number
  readonly ctx: {
    readonly params: Readonly<Record<string, unknown>>
    readonly taskId: string
    readonly runId: string
  }
}

/**
 * Messages between the main thread and the worker. Records travel column-major (InputChunk,
 * OutputChunk: one array per column clones far cheaper than one per record). The worker asks for
 * input (`pull`, two chunks ahead; the main thread answers as soon as a pull arrives, while its
 * consumer writes), sends `output` and waits for an `ack` once two outputs are unacknowledged, so
 * at most two or three chunks are in flight each way.
 */
export type CodeWorkerMessage =
  | ({ readonly type: 'input' } & InputChunk)
  | { readonly type: 'end' }
  | { readonly type: 'ack' }
  | { readonly type: 'pull' }
  | ({ readonly type: 'output' } & OutputChunk)
  | { readonly type: 'log'; readonly text: string }
  | {
      readonly type: 'error'
      readonly code: string
      readonly message: string
      readonly hint: string | undefined
    }
  | { readonly type: 'done' }
