export type NonFinitePolicy = 'null' | 'drop' | 'keep'

/** Marks a sample to leave out (`non_finite: drop`). */
export const DROP = Symbol('drop')

/**
 * A Prometheus sample value (always a string in the API: "1.5", "NaN", "+Inf", "-Inf") as a
 * float64. Non-finite values follow the policy: `null` → NULL, `drop` → DROP, `keep` → the JS
 * NaN / Infinity / -Infinity (float64 carries them; PostgreSQL and Parquet store them).
 */
export function parseSampleValue(
  text: string,
  policy: NonFinitePolicy,
): number | null | typeof DROP {
  let n: number
  switch (text) {
    case 'NaN':
      n = Number.NaN
      break
    case '+Inf':
    case 'Inf':
      n = Number.POSITIVE_INFINITY
      break
    case '-Inf':
      n = Number.NEGATIVE_INFINITY
      break
    default:
      n = Number(text)
  }
  if (Number.isFinite(n)) return n
  if (policy === 'keep') return n
  return policy === 'drop' ? DROP : null
}
