/** Longest coefficient (in digits) ExactDecimal builds; bigger exponents are rejected, not expanded. */
const MAX_DIGITS = 1000
const NUMBER_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,9}))?$/

/**
 * An exact decimal number: (-1)^negative × coefficient × 10^-scale, kept normalised (no trailing
 * zero in the coefficient while scale > 0; zero is never negative). Used by the casts so that no
 * digit is lost on the way between text, bigint and decimal.
 */
export class ExactDecimal {
  private constructor(
    readonly negative: boolean,
    readonly coefficient: bigint,
    readonly scale: number,
  ) {}

  /** Parses `12`, `-1.50`, `.5`, `1e3`, `2.5E-4`; undefined for anything else. */
  static parse(text: string): ExactDecimal | undefined {
    const m = NUMBER_TEXT.exec(text)
    if (!m) return undefined
    const int = m[2] ?? ''
    const frac = m[3] ?? ''
    if (int === '' && frac === '') return undefined
    const exp = m[4] === undefined ? 0 : Number(m[4])
    let digits = (int + frac).replace(/^0+/, '')
    if (digits === '') return new ExactDecimal(false, 0n, 0)
    let scale = frac.length - exp
    if (scale < 0) {
      if (digits.length - scale > MAX_DIGITS) return undefined
      digits += '0'.repeat(-scale)
      scale = 0
    }
    if (scale > MAX_DIGITS + digits.length) return undefined
    let end = digits.length
    while (scale > 0 && end > 1 && digits[end - 1] === '0') {
      end--
      scale--
    }
    return new ExactDecimal(m[1] === '-', BigInt(digits.slice(0, end)), scale)
  }

  static fromBigInt(value: bigint): ExactDecimal {
    return new ExactDecimal(value < 0n, value < 0n ? -value : value, 0)
  }

  /** The exact value of a finite double, via its shortest round-trip text (0.1 → 0.1). */
  static fromNumber(value: number): ExactDecimal | undefined {
    if (!Number.isFinite(value)) return undefined
    return ExactDecimal.parse(String(value))
  }

  isInteger(): boolean {
    return this.scale === 0
  }

  /** Digits left of the decimal point (0 for 0.05). */
  get integerDigits(): number {
    if (this.coefficient === 0n) return 0
    return Math.max(0, this.coefficient.toString().length - this.scale)
  }

  /** Only meaningful when isInteger(). */
  toBigInt(): bigint {
    return this.negative ? -this.coefficient : this.coefficient
  }

  /** Text with exactly `scale` fraction digits, or undefined when that would round. */
  toFixed(scale: number): string | undefined {
    if (this.scale > scale) return undefined
    const digits = (this.coefficient * 10n ** BigInt(scale - this.scale))
      .toString()
      .padStart(scale + 1, '0')
    const int = digits.slice(0, digits.length - scale)
    const frac = digits.slice(digits.length - scale)
    return `${this.negative ? '-' : ''}${int}${scale > 0 ? `.${frac}` : ''}`
  }

  /** Plain text without exponent and without trailing fraction zeros. */
  toString(): string {
    return this.toFixed(this.scale) ?? ''
  }

  equals(other: ExactDecimal): boolean {
    return (
      this.negative === other.negative &&
      this.coefficient === other.coefficient &&
      this.scale === other.scale
    )
  }

  /** The double holding exactly this value, or undefined when every double would round it. */
  toExactNumber(): number | undefined {
    const n = Number(this.toString())
    const back = ExactDecimal.fromNumber(n)
    return back?.equals(this) ? n : undefined
  }
}
