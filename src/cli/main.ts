import { runCli } from './run-cli.js'

/** The `sluice` binary. */
const code = await runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
  isTty: process.stdout.isTTY === true,
  cwd: process.cwd(),
  env: process.env,
})
process.exitCode = code
