import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino'
import { formatLogLine } from './format-log-line.js'

/** A pino logger whose lines always carry `pipeline`, `run_id`, `task` and `attempt`. */
export type SluiceLogger = Logger

/** One log line as the capture hook sees it (for `StateStore.appendLog`). */
export interface CapturedLogLine {
  readonly pipeline: string | null
  readonly runId: string | null
  readonly task: string | null
  readonly attempt: number | null
  readonly level: string
  readonly msg: string
  /** The whole JSON line. */
  readonly line: string
}

export interface CreateLoggerOptions {
  /** Default `info` (or `$SLUICE_LOG_LEVEL`). */
  readonly level?: LevelWithSilent
  /** Where lines go. Default stdout. */
  readonly destination?: { write(text: string): unknown }
  /** Human-readable lines instead of JSON. Default: whether stdout is a TTY. */
  readonly pretty?: boolean
  /** Base fields of every line. */
  readonly pipeline?: string
  readonly runId?: string
  /** Applied to every line before it is written (e.g. `SecretMask.mask`). */
  readonly mask?: (text: string) => string
  /**
   * Called with every line that belongs to a task attempt (task and attempt set): the engine
   * stores it with `store.appendLog(runId, task, attempt, 'log', msg)`. Errors thrown are ignored.
   */
  readonly onTaskLine?: (line: CapturedLogLine) => void
}

const CONTEXT = ['pipeline', 'run_id', 'task', 'attempt'] as const
const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
}

/**
 * The process logger: pino JSON lines with `pipeline`, `run_id`, `task` and `attempt` on every
 * line (null where not known), so one grep finds a run's or a task's lines. Derive context with
 * `logger.child({ pipeline, run_id })` and `logger.child({ task, attempt })` (see `runLogger`,
 * `taskLogger`). On a TTY the lines are formatted for people (`formatLogLine`), without pino-pretty.
 */
export function createLogger(options: CreateLoggerOptions = {}): SluiceLogger {
  const out = options.destination ?? process.stdout
  const pretty = options.pretty ?? process.stdout.isTTY === true
  const { mask, onTaskLine } = options
  const stream: DestinationStream = {
    write(line: string) {
      const text = mask ? mask(line) : line
      if (onTaskLine) capture(text, onTaskLine)
      out.write(pretty ? formatLogLine(text) : text)
    },
  }
  const base: Record<string, unknown> = {}
  if (options.pipeline !== undefined) base.pipeline = options.pipeline
  if (options.runId !== undefined) base.run_id = options.runId
  const level = options.level ?? (process.env.SLUICE_LOG_LEVEL as LevelWithSilent | undefined)
  return pino(
    {
      level: level ?? 'info',
      base,
      timestamp: pino.stdTimeFunctions.isoTime,
      // the context keys not bound by a child (or given in the call) are written as null
      mixin(merge, _level, logger) {
        const bound = logger.bindings()
        const missing: Record<string, null> = {}
        for (const k of CONTEXT) if (!(k in bound) && !(k in merge)) missing[k] = null
        return missing
      },
    },
    stream,
  )
}

/** A child logger for one run. */
export function runLogger(logger: SluiceLogger, pipeline: string, runId: string): SluiceLogger {
  return logger.child({ pipeline, run_id: runId })
}

/** A child logger for one task attempt (of a run logger). */
export function taskLogger(logger: SluiceLogger, task: string, attempt: number): SluiceLogger {
  return logger.child({ task, attempt })
}

function capture(line: string, hook: (l: CapturedLogLine) => void): void {
  try {
    const o = JSON.parse(line) as Record<string, unknown>
    if (typeof o.task !== 'string' || typeof o.attempt !== 'number') return
    hook({
      pipeline: typeof o.pipeline === 'string' ? o.pipeline : null,
      runId: typeof o.run_id === 'string' ? o.run_id : null,
      task: o.task,
      attempt: o.attempt,
      level: LEVELS[Number(o.level)] ?? String(o.level),
      msg: typeof o.msg === 'string' ? o.msg : '',
      line: line.endsWith('\n') ? line.slice(0, -1) : line,
    })
  } catch {
    // capture is best effort: a failing store never breaks logging
  }
}
