/** A line of an input file that could not be read: where, why, and its text. */
export interface FileReject {
  readonly file: string
  /** 1-based line number in the file (the header is line 1). */
  readonly line: number
  readonly reason: string
  readonly raw: string
}
