const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s/]+)@/gi

/**
 * Remembers secret values (from ${env:…}) and masks them, and any password inside a URL, in text
 * that is about to be printed, logged or stored.
 */
export class SecretMask {
  private readonly values = new Set<string>()

  add(value: string): void {
    // very short values would mask ordinary words; env secrets are rarely under 4 characters
    if (value.length >= 4) this.values.add(value)
  }

  /** Adds every secret another mask knows (a service gathers those of all its pipelines). */
  addAll(other: SecretMask): void {
    for (const v of other.values) this.values.add(v)
  }

  get size(): number {
    return this.values.size
  }

  mask(text: string): string {
    let out = text.replace(URL_PASSWORD, '$1***@')
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) {
      if (out.includes(v)) out = out.split(v).join('***')
    }
    return out
  }
}
