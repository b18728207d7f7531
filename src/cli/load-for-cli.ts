import { relative } from 'node:path'
import { loadPipelineFile, type LoadOptions } from '../definition/load-pipeline.js'
import type { LoadedPipeline } from '../definition/loaded-pipeline.js'
import { CliExit, EXIT, type CliIo } from './cli-io.js'
import { printIssues } from './print-issues.js'

/** Loads a pipeline for a command; prints its issues and exits 1 when it has errors. */
export async function loadForCli(
  io: CliIo,
  file: string,
  options: LoadOptions & { quietWarnings?: boolean },
): Promise<LoadedPipeline & { spec: NonNullable<LoadedPipeline['spec']> }> {
  const display = relative(io.cwd, file) || file
  const loaded = await loadPipelineFile(file, { env: io.env, ...options, displayName: display })
  const shown = options.quietWarnings
    ? loaded.issues.filter((i) => i.severity === 'error')
    : loaded.issues
  printIssues(io, shown, loaded.secrets)
  if (!loaded.spec) throw new CliExit(EXIT.failed)
  return loaded as LoadedPipeline & { spec: NonNullable<LoadedPipeline['spec']> }
}
