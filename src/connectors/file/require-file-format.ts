import { SluiceError } from '../../core/sluice-error.js'
import { fileFormat, type FileFormat } from './file-format.js'

/** The format of a path, or an error that says how to name it. */
export function requireFileFormat(path: string, given: FileFormat | undefined): FileFormat {
  const f = given ?? fileFormat(path).format
  if (f === undefined) {
    throw new SluiceError('E_SCHEMA_VALUE', `cannot tell the file format of ${path}`, {
      hint: 'add `format: csv | json | jsonl | parquet`',
    })
  }
  return f
}
