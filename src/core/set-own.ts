/** Sets an own, enumerable property, even for keys like `__proto__` that plain assignment treats specially. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
  } else obj[key] = value
}
