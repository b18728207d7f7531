import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { SluiceError } from '../../core/sluice-error.js'
import type { TaskExecutor } from '../task-context.js'

/** Grace between SIGTERM and SIGKILL when a command is aborted. */
export const KILL_GRACE_MS = 2000

/**
 * Runs `command:` through /bin/sh (a string) or directly (an argv list), in its own process group
 * so an abort stops the whole tree. stdout and stderr go to the task log line by line.
 */
export const commandExecutor: TaskExecutor = {
  type: 'command',
  execute: (ctx) =>
    new Promise((done, fail) => {
      const task = ctx.task
      if (task.type !== 'command')
        throw new SluiceError('E_INTERNAL', `command executor got a ${task.type} task`)
      const [file, args, shell] =
        typeof task.command === 'string'
          ? [task.command, [], true]
          : [task.command[0]!, task.command.slice(1), false]
      if (ctx.signal.aborted) {
        fail(ctx.signal.reason as Error)
        return
      }
      const child = spawn(file, args, {
        shell,
        cwd: resolve(ctx.baseDir, task.cwd ?? '.'),
        env: {
          ...process.env,
          ...task.env,
          SLUICE_RUN_ID: ctx.runId,
          SLUICE_TASK_ID: ctx.taskId,
          SLUICE_ATTEMPT: String(ctx.attempt),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
      const tail: string[] = []
      const pipe = (stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr') => {
        let buf = ''
        stream.setEncoding('utf8')
        stream.on('data', (chunk: string) => {
          buf += chunk
          let nl: number
          while ((nl = buf.indexOf('\n')) !== -1) {
            const line = buf.slice(0, nl)
            buf = buf.slice(nl + 1)
            ctx.log(line, name)
            if (name === 'stderr' && tail.push(line) > 20) tail.shift()
          }
        })
        stream.on('end', () => {
          if (buf !== '') {
            ctx.log(buf, name)
            if (name === 'stderr') tail.push(buf)
          }
        })
      }
      pipe(child.stdout, 'stdout')
      pipe(child.stderr, 'stderr')
      let killTimer: NodeJS.Timeout | undefined
      const kill = (sig: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, sig)
        } catch {
          // already gone
        }
      }
      const onAbort = () => {
        kill('SIGTERM')
        killTimer = setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS)
        killTimer.unref()
      }
      ctx.signal.addEventListener('abort', onAbort, { once: true })
      child.on('error', (e) => {
        ctx.signal.removeEventListener('abort', onAbort)
        fail(
          new SluiceError('E_COMMAND_FAILED', `cannot start command: ${e.message}`, {
            retryable: false,
            task: ctx.taskId,
            cause: e,
          }),
        )
      })
      child.on('close', (code, signal) => {
        ctx.signal.removeEventListener('abort', onAbort)
        if (killTimer) clearTimeout(killTimer)
        if (ctx.signal.aborted) fail(ctx.signal.reason as Error)
        else if (code === 0) done({ outputs: { exit_code: 0 } })
        else {
          const why = signal ? `was killed by ${signal}` : `exited with code ${code}`
          fail(
            new SluiceError(
              'E_COMMAND_FAILED',
              `command ${why}${tail.length ? `: ${tail.slice(-3).join(' | ')}` : ''}`,
              {
                retryable: true,
                task: ctx.taskId,
                hint: `see the full output with: sluice logs ${ctx.runId} ${ctx.taskId}`,
              },
            ),
          )
        }
      })
    }),
}
