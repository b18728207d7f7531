/** `a` → `[a]`; a list is copied. For keys that take one column or a list. */
export function asList(v: string | readonly string[]): string[] {
  return typeof v === 'string' ? [v] : [...v]
}
