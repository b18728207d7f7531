import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { isSluiceError } from '../core/sluice-error.js'
import { CliExit, EXIT, type CliIo } from './cli-io.js'
import { GRAPH_FORMATS, graphCommand, type GraphOptions } from './commands/graph-command.js'
import { initCommand } from './commands/init-command.js'
import { planCommand, type PlanCommandOptions } from './commands/plan-command.js'
import type { ServeCommandOptions } from './commands/serve-command.js'
import { renderCommand, type RenderCommandOptions } from './commands/render-command.js'
import { schemaCommand } from './commands/schema-command.js'
import { validateCommand, type ValidateOptions } from './commands/validate-command.js'
import { collect } from './parse-param-args.js'
import { cliContext } from './cli-context.js'
import type { RunCommandOptions } from './commands/run-command.js'
import type { BackfillCommandOptions } from './commands/backfill-command.js'
import type { LineageCommandOptions } from './commands/lineage-command.js'
import type { StatsCommandOptions } from './commands/stats-command.js'

export const VERSION = '0.1.0'

function positiveInt(v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError('must be a whole number of 1 or more')
  return n
}

function build(io: CliIo): Command {
  const program = new Command('sluice')
    .description('ETL pipelines as DAGs: validate, plan, draw and run them')
    .version(VERSION)
    .option('--debug', 'print stack traces for errors')
    .option('--workspace <dir>', 'state directory (default ./.sluice or $SLUICE_HOME)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })

  // commands that use the state store or the engine are imported when run, so that
  // validate, plan, graph and schema start without loading database drivers or DuckDB
  const ctx = cliContext(io, () => program.opts<{ workspace?: string }>().workspace)
  const paramOpt = () =>
    new Option('-p, --param <name=value>', 'set a parameter (repeatable)').argParser(collect)
  const selectOpt = () =>
    new Option(
      '-s, --select <selector>',
      'tasks to include: name, +name, name+, @name, tag:x, type:x',
    ).argParser(collect)
  const excludeOpt = () =>
    new Option('--exclude <selector>', 'tasks to leave out').argParser(collect)

  program
    .command('init')
    .description('create a project with an example pipeline')
    .argument('[dir]', 'target directory', undefined)
    .option('--force', 'overwrite existing files')
    .action((dir: string | undefined, opts: { force?: boolean }) => initCommand(io, dir, opts))

  program
    .command('validate')
    .description('check pipeline files; every problem is reported with file:line:col and a code')
    .argument('[files...]', 'pipeline files or directories (default: .)')
    .addOption(paramOpt())
    .option('--strict', 'treat warnings as errors')
    .option('--json', 'machine-readable output')
    .action((files: string[], opts: ValidateOptions) => validateCommand(io, files, opts))

  program
    .command('plan')
    .description(
      'show execution batches, the critical path, slack, and the schema changes tasks would cause',
    )
    .argument('<file>', 'pipeline file')
    .addOption(paramOpt())
    .addOption(selectOpt())
    .addOption(excludeOpt())
    .option('--max-parallel <n>', 'cap on tasks per batch', positiveInt)
    .option('--schema', 'also read extract sources for the schema diff')
    .option('--json', 'machine-readable output')
    .action((file: string, opts: PlanCommandOptions) =>
      planCommand(io, file, { ...opts, workspace: ctx.workspace() }),
    )

  program
    .command('graph')
    .description('draw the pipeline graph')
    .argument('<file>', 'pipeline file')
    .addOption(new Option('-f, --format <format>', 'output format').choices(GRAPH_FORMATS))
    .option('-o, --output <file>', 'write to a file (format from its extension)')
    .option('--run <run-id>', 'colour tasks by their states in this run')
    .addOption(paramOpt())
    .addOption(selectOpt())
    .addOption(excludeOpt())
    .action((file: string, opts: GraphOptions) => graphCommand(ctx, file, opts))

  program
    .command('render')
    .description(
      'print the SQL of a sql task as it would run (templates, ref(), CTEs); runs nothing',
    )
    .argument('<file>', 'pipeline file')
    .argument('<task>', 'the sql task')
    .addOption(paramOpt())
    .option('--run-id <id>', 'render for this run (dataset paths and {{ run_id }})')
    .action((file: string, task: string, opts: RenderCommandOptions) =>
      renderCommand(ctx, file, task, opts),
    )

  program
    .command('run')
    .description('run a pipeline durably, with live progress')
    .argument('<file>', 'pipeline file')
    .addOption(paramOpt())
    .addOption(selectOpt())
    .addOption(excludeOpt())
    .option(
      '-c, --concurrency <n>',
      'tasks at once (default: max_parallel, else cores)',
      positiveInt,
    )
    .option('--run-id <id>', 'use this run id')
    .option(
      '--resume-latest',
      'resume the latest failed, cancelled or orphaned run of this pipeline instead',
    )
    .option('--json', 'one JSON object per event')
    .action((file: string, opts: RunCommandOptions) =>
      import('./commands/run-command.js').then((m) => m.runCommand(ctx, file, opts)),
    )

  program
    .command('resume')
    .description('re-run the failed, cancelled, skipped and orphaned tasks of a run')
    .argument('<run-id>')
    .option('-c, --concurrency <n>', 'tasks at once', positiveInt)
    .option('--json', 'one JSON object per event')
    .action((id: string, opts: { concurrency?: number; json?: boolean }) =>
      import('./commands/resume-command.js').then((m) => m.resumeCommand(ctx, id, opts)),
    )

  program
    .command('runs')
    .description('list runs, newest first')
    .option('--pipeline <name>')
    .option('--state <state>')
    .option('-n, --limit <n>', 'how many', positiveInt)
    .option('--json', 'machine-readable output')
    .action((opts: { pipeline?: string; state?: string; limit?: number; json?: boolean }) =>
      import('./commands/runs-command.js').then((m) => m.runsCommand(ctx, opts)),
    )

  program
    .command('show')
    .description('a run and its tasks: attempts, durations, errors')
    .argument('<run-id>')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: { json?: boolean }) =>
      import('./commands/show-command.js').then((m) => m.showCommand(ctx, id, opts)),
    )

  program
    .command('logs')
    .description('captured output of a run, or of one task')
    .argument('<run-id>')
    .argument('[task]')
    .option('--json', 'machine-readable output')
    .option('-f, --follow', 'keep printing new lines until the run ends')
    .action((id: string, task: string | undefined, opts: { json?: boolean; follow?: boolean }) =>
      opts.follow
        ? import('./commands/follow-logs-command.js').then((m) =>
            m.followLogsCommand(ctx, id, task, opts),
          )
        : import('./commands/logs-command.js').then((m) => m.logsCommand(ctx, id, task, opts)),
    )

  program
    .command('rejects')
    .description('records a task quarantined (on_error: quarantine), with file, line and reason')
    .argument('<run-id>')
    .argument('<task>')
    .option('--json', 'machine-readable output')
    .action((id: string, task: string, opts: { json?: boolean }) =>
      import('./commands/rejects-command.js').then((m) => m.rejectsCommand(ctx, id, task, opts)),
    )

  program
    .command('checks')
    .description(
      'quality check results: of a run (counts and failing rows), or --pipeline for their history',
    )
    .argument('[run-id]')
    .option('--task <task>', 'only this task')
    .option('--pipeline <name>', 'history over runs of this pipeline')
    .option('--check <name>', 'only this check, e.g. "not_null(id)"')
    .option('--limit <n>', 'at most this many results', (v) => Number.parseInt(v, 10))
    .option('--json', 'machine-readable output')
    .action(
      (
        id: string | undefined,
        opts: { task?: string; pipeline?: string; check?: string; limit?: number; json?: boolean },
      ) => import('./commands/checks-command.js').then((m) => m.checksCommand(ctx, id, opts)),
    )

  program
    .command('stats')
    .description('per pipeline: success rate, runs by state, mean and p95 duration, rows in/out')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--since <duration>', 'only runs created within this duration, e.g. 7d')
    .option('--tasks', 'also per task')
    .option('--json', 'machine-readable output')
    .action((opts: StatsCommandOptions) =>
      import('./commands/stats-command.js').then((m) => m.statsCommand(ctx, opts)),
    )

  program
    .command('lineage')
    .description('what a dataset or task comes from and feeds (file, conn:table, pipeline.task)')
    .argument('<ref>', 'file path, conn:table, sluice:pipeline.task, or pipeline.task')
    .option('--upstream', 'only what it comes from')
    .option('--downstream', 'only what it feeds')
    .addOption(
      new Option('--file <file>', 'pipeline file (repeatable; default: all in --dir)').argParser(
        collect,
      ),
    )
    .option('--dir <dir>', 'folder of pipeline files', 'pipelines')
    .option('--json', 'machine-readable output')
    .action((ref: string, opts: LineageCommandOptions) =>
      import('./commands/lineage-command.js').then((m) => m.lineageCommand(ctx, ref, opts)),
    )

  program
    .command('backfill')
    .description('one run per interval of a date range, a few at once; resumable')
    .argument('<file>', 'pipeline file')
    .option('--from <date>', 'start (inclusive), e.g. 2026-01-01')
    .option('--to <date>', 'end (exclusive), e.g. 2026-02-01')
    .option('--every <duration>', 'interval step without (or instead of) a schedule (default 1d)')
    .option('-c, --concurrency <n>', 'runs at once (default 4)', positiveInt)
    .addOption(paramOpt())
    .option('--resume <group>', 'continue this backfill group')
    .option('--allow-incremental', 'backfill a pipeline with incremental extracts anyway')
    .option('--json', 'one JSON object per run, then a summary')
    .action((file: string, opts: BackfillCommandOptions) =>
      import('./commands/backfill-command.js').then((m) => m.backfillCommand(ctx, file, opts)),
    )

  program
    .command('serve')
    .description('schedule, trigger and run the pipelines of a folder; serve the HTTP API')
    .option('--dir <dir>', 'folder of pipeline files', 'pipelines')
    .option('--host <host>', 'address to bind (non-loopback needs --token)', '127.0.0.1')
    .option('--port <port>', 'port (0: any free one)', (v) => Number.parseInt(v, 10), 8080)
    .option('--token <token>', 'bearer token for mutating API calls (or SLUICE_API_TOKEN)')
    .option('--tick <ms>', 'scheduler poll interval in ms', (v) => Number.parseInt(v, 10))
    .option('--alerts <file>', 'alert channels and rules (YAML)')
    .action((opts: ServeCommandOptions) =>
      import('./commands/serve-command.js').then((m) => m.serveCommand(ctx, opts)),
    )

  program
    .command('schedule')
    .description(
      'pause or resume a pipeline schedule (list | pause PIPELINE --reason … | resume PIPELINE)',
    )
    .argument('<action>', 'list, pause or resume')
    .argument('[pipeline]')
    .option('--reason <text>', 'why (pause)')
    .option('--json', 'machine-readable output')
    .action(
      (action: string, pipeline: string | undefined, opts: { reason?: string; json?: boolean }) =>
        import('./commands/schedule-command.js').then((m) =>
          m.scheduleCommand(ctx, action, pipeline, opts),
        ),
    )

  program
    .command('cancel')
    .description('cancel a running run from another process')
    .argument('<run-id>')
    .action((id: string) =>
      import('./commands/cancel-command.js').then((m) => m.cancelCommand(ctx, id)),
    )

  program
    .command('dlq')
    .description(
      'dead letters: tasks that exhausted their retries (list | show ID | requeue ID | purge ID… | purge --all)',
    )
    .argument('<action>', 'list, show, requeue or purge')
    .argument('[ids...]')
    .option('--all', 'with purge: every dead letter')
    .option('--json', 'machine-readable output')
    .action((action: string, ids: string[], opts: { json?: boolean; all?: boolean }) =>
      import('./commands/dlq-command.js').then((m) => m.dlqCommand(ctx, action, ids, opts)),
    )

  program
    .command('prune')
    .description('delete finished runs past a retention (default 30d, or each file’s retention:)')
    .argument('[files...]', 'pipeline files whose retention: applies')
    .option('--older-than <duration>', 'e.g. 30d')
    .option('--json', 'machine-readable output')
    .action((files: string[], opts: { olderThan?: string; json?: boolean }) =>
      import('./commands/prune-command.js').then((m) => m.pruneCommand(ctx, files, opts)),
    )

  program
    .command('schema')
    .description('print the JSON Schema of pipeline files (for editor completion)')
    .action(() => schemaCommand(io))

  return program
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = build(io)
  const debug = argv.includes('--debug')
  try {
    await program.parseAsync(argv, { from: 'user' })
    return EXIT.ok
  } catch (e) {
    if (e instanceof CliExit) return e.exitCode
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.exitCode === 0
      )
        return EXIT.ok
      return EXIT.usage
    }
    if (isSluiceError(e)) {
      io.err(e.toLine())
      if (debug && e.stack) io.err(e.stack)
      return e.code === 'E_USAGE' ? EXIT.usage : EXIT.failed
    }
    io.err(
      `error E_INTERNAL ${e instanceof Error ? e.message : String(e)}; this is a bug in sluice, please report it (run with --debug for the stack)`,
    )
    if (debug && e instanceof Error && e.stack) io.err(e.stack)
    return EXIT.failed
  }
}
