/** One item or a list, as a list (`columns: value` is `columns: [value]`). */
export function asList<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T]
}
