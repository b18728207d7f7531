/** Where the CLI writes; tests pass buffers, the binary passes the process streams. */
export interface CliIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  readonly isTty: boolean
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
}

/** Exit codes of DESIGN.md §7. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const

/** Thrown by commands to end with a code after printing what they had to say. */
export class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`)
  }
}
