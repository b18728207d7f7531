import type { DatasetInfo } from '../../data/datasets/dataset-store.js'
import { formatColumnType } from '../../data/types/format-column-type.js'
import type { Json } from '../task-context.js'

/** What a data-producing task records about its dataset: where, how many rows, which columns. */
export function datasetOutputs(info: DatasetInfo): { [key: string]: Json } {
  return {
    dataset: info.path,
    rows: info.rowCount,
    schema: info.schema.columns.map(
      (c) => `${c.name} ${formatColumnType(c.type)}${c.nullable ? '' : ' not null'}`,
    ),
  }
}
