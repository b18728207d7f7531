import type { TaskState } from '../state/task-state.js'

/** What every graph renderer draws: tasks, dependency edges (upstream → downstream), optional states. */
export interface GraphView {
  readonly pipeline: string
  readonly nodes: readonly GraphNode[]
  readonly edges: readonly GraphEdge[]
}

export interface GraphNode {
  readonly id: string
  readonly type: string
  /** Topological level, 0 for roots. */
  readonly level: number
  readonly state?: TaskState
  readonly critical?: boolean
  readonly description?: string
}

export interface GraphEdge {
  readonly from: string
  readonly to: string
}

/** Fill and text colours per task state; also used by the dashboard. */
export const STATE_COLORS: Readonly<
  Record<TaskState | 'NONE', { fill: string; stroke: string; ansi: number }>
> = {
  NONE: { fill: '#f5f7fa', stroke: '#7b8794', ansi: 0 },
  PENDING: { fill: '#eef2f7', stroke: '#9aa5b1', ansi: 90 },
  QUEUED: { fill: '#e0e8f9', stroke: '#4c63b6', ansi: 34 },
  RUNNING: { fill: '#dceefb', stroke: '#2680c2', ansi: 36 },
  RETRYING: { fill: '#fff3c4', stroke: '#cb6e17', ansi: 33 },
  SUCCESS: { fill: '#e3f9e5', stroke: '#207227', ansi: 32 },
  FAILED: { fill: '#ffe3e3', stroke: '#ab091e', ansi: 31 },
  SKIPPED: { fill: '#f0f0f0', stroke: '#a0a0a0', ansi: 2 },
  CANCELLED: { fill: '#fde0f0', stroke: '#9b2c6f', ansi: 35 },
}
