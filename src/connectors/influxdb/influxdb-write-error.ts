import { SluiceError } from '../../core/sluice-error.js'
import { lineProtocol } from './line-protocol.js'

/** The lines of one write request and the 1-based input row each came from. */
export interface WrittenBatch {
  readonly lines: readonly string[]
  readonly rows: readonly number[]
}

const TYPE_CONFLICT = /input field "((?:[^"\\]|\\.)*)" on measurement "((?:[^"\\]|\\.)*)"/

function clip(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text
}

/** Index in `batch.lines` of the line InfluxDB names in `error`, or -1. */
export function findOffendingLine(error: string, batch: WrittenBatch): number {
  if (error.includes('unable to parse')) {
    for (let i = 0; i < batch.lines.length; i++)
      if (error.includes(`unable to parse '${batch.lines[i]!}'`)) return i
  }
  const m = TYPE_CONFLICT.exec(error)
  if (m) {
    const prefix = lineProtocol.measurement(m[2]!)
    const field = lineProtocol.key(m[1]!)
    for (let i = 0; i < batch.lines.length; i++) {
      const line = batch.lines[i]!
      if (
        (line.startsWith(`${prefix},`) || line.startsWith(`${prefix} `)) &&
        (line.includes(` ${field}=`) || line.includes(`,${field}=`))
      )
        return i
    }
  }
  return -1
}

/**
 * The error of a write InfluxDB refused (400 `unable to parse '…'` or `partial write: …`, 404
 * database not found, 413 too large), naming the offending line, its text and its input row.
 */
export function influxWriteError(
  status: number,
  error: string,
  batch: WrittenBatch,
  where: string,
): SluiceError {
  if (status === 404)
    return new SluiceError('E_INFLUX_WRITE', `write to ${where} refused (HTTP 404): ${error}`, {
      hint: 'create the database/bucket, or set create: true on the connection',
    })
  if (status === 413)
    return new SluiceError('E_INFLUX_WRITE', `write to ${where} refused (HTTP 413): ${error}`, {
      hint: 'lower destination.influxdb.batch_size or enable gzip',
    })
  const i = findOffendingLine(error, batch)
  const partial = error.startsWith('partial write')
    ? ' (the other points of the request were written)'
    : ''
  if (i < 0)
    return new SluiceError(
      'E_INFLUX_WRITE',
      `write to ${where} refused (HTTP ${status}): ${clip(error)}${partial}`,
    )
  const row = batch.rows[i]!
  return new SluiceError(
    'E_INFLUX_WRITE',
    `write to ${where} refused line ${i + 1} of the request (input row ${row}): ${clip(batch.lines[i]!)} — ${clip(error)}${partial}`,
    {
      row,
      hint: 'fix or cast the value in an upstream step; a field keeps the type it was first written with',
    },
  )
}
