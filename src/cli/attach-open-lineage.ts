import type { RunEvents, RunEventMap } from '../engine/run-events.js'
import {
  buildLineageGraph,
  type LineagePipelineSpec,
  type TaskDatasetOutput,
} from '../observe/lineage-graph.js'
import type { OpenLineageEmitter } from '../observe/openlineage-emitter.js'
import { openLineageEvent, type OpenLineageEventType } from '../observe/openlineage-event.js'
import type { StateStore } from '../state/state-store.js'
import { datasetOutputOf } from '../observe/dataset-output-of.js'
import { lastSuccessOutputs } from '../state/last-success-outputs.js'

export interface OpenLineageBridge {
  /** Resolves when every event of the runs seen so far was handed to the emitter and sent. */
  flush(): Promise<void>
  detach(): void
}

/**
 * Emits OpenLineage RunEvents for the runs on `events`: START and COMPLETE / FAIL / ABORT for
 * each pipeline run and for each task job (parent facet: the pipeline run), with the task's
 * datasets from the pipeline's lineage graph; COMPLETE carries the row counts, schemas and (SQL
 * tasks) column lineage the task recorded in the store. Emission never fails or slows a run.
 */
export function attachOpenLineage(
  events: RunEvents,
  emitter: OpenLineageEmitter,
  store: StateStore,
  specOf: (pipeline: string, runId: string) => LineagePipelineSpec | undefined,
): OpenLineageBridge {
  let chain: Promise<void> = Promise.resolve()
  const later = (build: () => void | Promise<void>) => {
    chain = chain.then(build).catch(() => undefined)
  }
  const taskEvent = async (
    e: RunEventMap['task:state'],
    eventType: OpenLineageEventType,
  ): Promise<void> => {
    const spec = specOf(e.pipeline, e.runId)
    if (!spec) return
    const outputs: Record<string, TaskDatasetOutput> = {}
    if (eventType === 'COMPLETE') {
      const task = (await store.listTasks(e.runId)).find((t) => t.taskId === e.taskId)
      const out = datasetOutputOf(lastSuccessOutputs(task))
      if (out) outputs[e.taskId] = out
    }
    const own = outputs[e.taskId]
    emitter.emit(
      openLineageEvent({
        eventType,
        eventTime: new Date(e.at),
        runId: e.runId,
        pipeline: e.pipeline,
        task: e.taskId,
        attempt: e.attempt,
        graph: buildLineageGraph(spec, { outputs }),
        ...(own?.columnLineage && {
          columnLineage: own.columnLineage.map((c) => ({
            name: c.column,
            inputs: c.inputs.map((ref) => {
              const dot = ref.indexOf('.')
              return { table: ref.slice(0, dot), column: ref.slice(dot + 1) }
            }),
            transformation: c.transformation as 'IDENTITY' | 'TRANSFORMATION' | 'AGGREGATION',
          })),
        }),
        ...(e.error && { error: e.error }),
      }),
    )
  }
  const onRunStart = (e: RunEventMap['run:start']) =>
    later(() => {
      emitter.emit(
        openLineageEvent({
          eventType: 'START',
          eventTime: new Date(e.at),
          runId: e.runId,
          pipeline: e.pipeline,
        }),
      )
    })
  const onTask = (e: RunEventMap['task:state']) => {
    const type: OpenLineageEventType | undefined =
      e.to === 'RUNNING'
        ? 'START'
        : e.to === 'SUCCESS'
          ? 'COMPLETE'
          : e.to === 'FAILED'
            ? 'FAIL'
            : e.to === 'CANCELLED' && e.from === 'RUNNING'
              ? 'ABORT'
              : undefined
    if (type) later(() => taskEvent(e, type))
  }
  const onRunFinish = (e: RunEventMap['run:finish']) =>
    later(() => {
      emitter.emit(
        openLineageEvent({
          eventType:
            e.state === 'SUCCESS' ? 'COMPLETE' : e.state === 'CANCELLED' ? 'ABORT' : 'FAIL',
          eventTime: new Date(e.at),
          runId: e.runId,
          pipeline: e.pipeline,
          ...(e.state === 'FAILED' && {
            error: {
              code: 'E_TASK_FAILED',
              message: `run ${e.runId} failed (see its failed tasks)`,
            },
          }),
        }),
      )
    })
  events.on('run:start', onRunStart).on('task:state', onTask).on('run:finish', onRunFinish)
  return {
    async flush() {
      await chain
      await emitter.flush()
    },
    detach() {
      events.off('run:start', onRunStart).off('task:state', onTask).off('run:finish', onRunFinish)
    },
  }
}
