import type { Column, TableSchema } from '../../../../src/data/column-type.js'
import { parseColumnType } from '../../../../src/data/types/parse-column-type.js'

export const col = (name: string, type: string, nullable = true): Column => ({
  name,
  type: parseColumnType(type),
  nullable,
})
export const schema = (...columns: Column[]): TableSchema => ({ columns })
