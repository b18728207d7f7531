import type { ContractSpec } from '../../core/spec/contract-schema.js'
import { SluiceError } from '../../core/sluice-error.js'
import { planContract } from '../../transforms/contract/plan-contract.js'
import type { DataPlane } from '../data-plane.js'
import type { Json, TaskExecutor } from '../task-context.js'
import { datasetOutputs } from './dataset-outputs.js'
import { rejectsDatasetId } from './quarantine-rejects.js'
import { reportSchemaChange } from './report-schema-change.js'

/**
 * A data task's `contract:` is enforced on the dataset it wrote (planContract), before inline
 * checks and before anything downstream reads it: a violation under `freeze` or `evolve` fails the
 * task (E_CONTRACT_VIOLATION); `discard_row` and `discard_value` rewrite the dataset, and dropped
 * rows join the task's rejects (`sluice rejects RUN TASK`). Then the schema is compared with the
 * task's previous run (for every data task, not only extracts).
 */
export function withContract(executor: TaskExecutor, plane: DataPlane): TaskExecutor {
  return {
    type: executor.type,
    async execute(ctx) {
      const outcome = await executor.execute(ctx)
      const outputs = outcome.outputs as { [key: string]: Json } | undefined
      if (outputs?.dataset === undefined) return outcome
      const contract = (ctx.task as { contract?: ContractSpec }).contract
      const datasets = await plane.datasets()
      let result = { ...outputs }
      if (contract !== undefined) {
        const ref = datasets.sqlRef(ctx.runId, ctx.taskId)
        const { schema } = await datasets.describe(ctx.runId, ctx.taskId)
        const plan = planContract(contract, ref, schema)
        const engine = await plane.engine()
        const counts = (await engine.all(plan.countSql)).rows[0]!.map((v) => Number(v))
        const decision = plan.decide(counts)
        for (const note of decision.notes) ctx.log(`contract: ${note}`)
        if (decision.failures.length > 0)
          throw new SluiceError(
            'E_CONTRACT_VIOLATION',
            `the output of ${ctx.taskId} breaks its contract: ${decision.failures.join('; ')}`,
            {
              retryable: false,
              task: ctx.taskId,
              hint: 'fix the data upstream, change the contract, or choose policy discard_row / discard_value',
            },
          )
        if (decision.rejectsSql !== undefined) {
          const id = rejectsDatasetId(ctx.taskId)
          const earlier = datasets.exists(ctx.runId, id)
            ? `SELECT * FROM ${datasets.sqlRef(ctx.runId, id)} UNION ALL `
            : ''
          const rejects = await datasets.writeQuery(
            ctx.runId,
            id,
            `${earlier}${decision.rejectsSql}`,
          )
          result.rejects_dataset = rejects.path
          result.rejected = rejects.rowCount
        }
        if (decision.rewriteSql !== undefined) {
          const info = await datasets.writeQuery(ctx.runId, ctx.taskId, decision.rewriteSql)
          result = { ...result, ...datasetOutputs(info) }
        }
        if (decision.notes.length > 0) result.contract = decision.notes as Json[]
      }
      const { schema, rowCount } = await datasets.describe(ctx.runId, ctx.taskId)
      const path = datasets.path(ctx.runId, ctx.taskId)
      const change =
        ctx.task.type === 'extract'
          ? {} // the extract executor reports its own (before its watermark is handed on)
          : await reportSchemaChange(ctx, plane, { path, schema, rowCount })
      return { outputs: { ...result, ...change } }
    },
  }
}
