import type { JsonValue, TaskRecord } from './records.js'

/** The outputs of a task's last successful attempt, if it has one. */
export function lastSuccessOutputs(task: TaskRecord | undefined): JsonValue | undefined {
  const attempts = task?.attempts ?? []
  for (let i = attempts.length - 1; i >= 0; i--)
    if (attempts[i]!.state === 'SUCCESS') return attempts[i]!.outputs ?? undefined
  return undefined
}
