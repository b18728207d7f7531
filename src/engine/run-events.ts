import { EventEmitter } from 'node:events'
import type { RunState } from '../core/state/run-state.js'
import type { TaskState } from '../core/state/task-state.js'

export interface TaskEventBase {
  readonly runId: string
  readonly pipeline: string
  readonly taskId: string
  readonly attempt: number
  readonly at: number
}

/** Every event the engine emits, by name. The same transitions are recorded in the state store. */
export interface RunEventMap {
  'run:start': {
    runId: string
    pipeline: string
    tasks: number
    resumed: boolean
    at: number
    /** For a scheduled (or backfill) run: the due instant it is for, epoch ms. */
    scheduledFor?: number
  }
  'run:finish': {
    runId: string
    pipeline: string
    state: RunState
    durationMs: number
    at: number
  }
  'task:state': TaskEventBase & {
    from: TaskState
    to: TaskState
    error?: { code: string; message: string }
  }
  'task:retry': TaskEventBase & { delayMs: number; error: { code: string; message: string } }
  'task:log': TaskEventBase & { stream: string; text: string }
}

/** A typed EventEmitter over RunEventMap. */
export class RunEvents {
  private readonly emitter = new EventEmitter()

  on<K extends keyof RunEventMap>(name: K, fn: (e: RunEventMap[K]) => void): this {
    this.emitter.on(name, fn)
    return this
  }

  off<K extends keyof RunEventMap>(name: K, fn: (e: RunEventMap[K]) => void): this {
    this.emitter.off(name, fn)
    return this
  }

  emit<K extends keyof RunEventMap>(name: K, event: RunEventMap[K]): void {
    this.emitter.emit(name, event)
  }
}
