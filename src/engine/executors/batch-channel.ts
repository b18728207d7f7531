import type { RowBatch } from '../../data/row-batch.js'

/**
 * An async iterable fed by `push`: the consumer (a dataset writer) reads batches as the producer
 * pushes them, and `push` waits while one batch is still unread, so at most two batches are held.
 * `end()` finishes the iteration; `fail(e)` makes it throw `e`.
 */
export class BatchChannel implements AsyncIterable<RowBatch> {
  private readonly queue: RowBatch[] = []
  private done = false
  private error: { e: unknown } | undefined
  private wakeConsumer: (() => void) | undefined
  private wakeProducer: (() => void) | undefined

  async push(batch: RowBatch): Promise<void> {
    if (this.done) throw new Error('push after end')
    this.queue.push(batch)
    this.wake()
    if (this.queue.length > 1) await new Promise<void>((r) => (this.wakeProducer = r))
  }

  end(): void {
    this.done = true
    this.wake()
  }

  fail(e: unknown): void {
    this.error = { e }
    this.end()
  }

  private wake(): void {
    const w = this.wakeConsumer
    this.wakeConsumer = undefined
    w?.()
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RowBatch> {
    for (;;) {
      if (this.error) throw this.error.e
      const next = this.queue.shift()
      if (next !== undefined) {
        const w = this.wakeProducer
        this.wakeProducer = undefined
        w?.()
        yield next
        continue
      }
      if (this.done) return
      await new Promise<void>((r) => (this.wakeConsumer = r))
    }
  }
}
