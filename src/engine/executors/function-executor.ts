import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { SluiceError } from '../../core/sluice-error.js'
import type { Json, TaskContext, TaskExecutor } from '../task-context.js'

type TaskFunction = (ctx: TaskContext) => unknown

const modules = new Map<string, Promise<Record<string, unknown>>>()

async function importModule(path: string): Promise<Record<string, unknown>> {
  let p = modules.get(path)
  if (!p) {
    const url = pathToFileURL(path).href
    p = /\.(m|c)?ts$/.test(path)
      ? (import('tsx/esm/api').then((m) => m.tsImport(url, import.meta.url)) as Promise<
          Record<string, unknown>
        >)
      : (import(url) as Promise<Record<string, unknown>>)
    modules.set(path, p)
    p.catch(() => modules.delete(path))
  }
  return p
}

/** Calls an exported function of a TS/JS module with the task context; its JSON return value becomes the task's outputs. */
export const functionExecutor: TaskExecutor = {
  type: 'function',
  async execute(ctx) {
    const task = ctx.task
    if (task.type !== 'function')
      throw new SluiceError('E_INTERNAL', `function executor got a ${task.type} task`)
    const path = resolve(ctx.baseDir, task.module)
    const name = task.export ?? 'default'
    let mod: Record<string, unknown>
    try {
      mod = await importModule(path)
    } catch (e) {
      throw new SluiceError(
        'E_FUNCTION_LOAD',
        `cannot load ${task.module}: ${e instanceof Error ? e.message : String(e)}`,
        {
          retryable: false,
          task: ctx.taskId,
          cause: e,
        },
      )
    }
    const fn = mod[name]
    if (typeof fn !== 'function') {
      const exported = Object.keys(mod).filter((k) => typeof mod[k] === 'function')
      throw new SluiceError(
        'E_FUNCTION_LOAD',
        `${task.module} has no exported function "${name}"`,
        {
          retryable: false,
          task: ctx.taskId,
          hint: exported.length
            ? `exported functions: ${exported.join(', ')}`
            : 'export a function (ctx) => …',
        },
      )
    }
    const result = await (fn as TaskFunction)(ctx)
    return result === undefined ? {} : { outputs: result as Json }
  },
}
