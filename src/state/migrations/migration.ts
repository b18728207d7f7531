/** A forward-only schema change. Versions are 1, 2, 3, … and never edited once released. */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}
