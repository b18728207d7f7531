/** `orders_daily-20261122T001500-k3x9`: sortable by time, readable, unique enough per pipeline. */
export function newRunId(
  pipeline: string,
  at: Date = new Date(),
  random: () => number = Math.random,
): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').slice(0, 15)
  const suffix = Array.from(
    { length: 4 },
    () => '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 36)],
  ).join('')
  return `${pipeline}-${stamp}-${suffix}`
}
