import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { TaskContext } from '../../src/engine/task-context.js'

async function readCsv(path: string): Promise<Record<string, string>[]> {
  const [head, ...lines] = (await readFile(path, 'utf8')).trim().split('\n')
  const cols = head!.split(',')
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])))
}

/** Orders at or above min_amount, summed per customer country. */
export async function totalsByCountry(ctx: TaskContext): Promise<Record<string, number>> {
  const args = (ctx.task as { args?: { file: string; customers: string } }).args!
  const orders = await readCsv(resolve(ctx.baseDir, args.file))
  const customers = new Map(
    (await readCsv(resolve(ctx.baseDir, args.customers))).map((c) => [c.id, c.country]),
  )
  const min = Number(ctx.params.min_amount)
  const totals: Record<string, number> = {}
  for (const o of orders) {
    const amount = Number(o.amount)
    if (amount < min) continue
    const country = customers.get(o.customer_id) ?? 'unknown'
    totals[country] = Math.round(((totals[country] ?? 0) + amount) * 100) / 100
  }
  ctx.metric('rows_in', orders.length)
  ctx.metric('rows_out', Object.keys(totals).length)
  ctx.log(`summed ${orders.length} orders into ${Object.keys(totals).length} countries`)
  return totals
}

/** Prints the totals the upstream task handed on. */
export function report(ctx: TaskContext): { countries: number } {
  const totals = ctx.upstream.totals as Record<string, number>
  for (const [country, sum] of Object.entries(totals).sort())
    ctx.log(`${country}: ${sum.toFixed(2)}`)
  return { countries: Object.keys(totals).length }
}
