const MEASUREMENT_SPECIAL = /[ ,\n\r\t]/
const KEY_SPECIAL = /[ ,=\n\r\t]/
const STRING_SPECIAL = /["\\]/

function escapeWith(s: string, special: RegExp, all: RegExp): string {
  if (!special.test(s)) return s
  return s.replace(all, (c) => ESCAPES[c]!)
}

const ESCAPES: Record<string, string> = {
  ' ': '\\ ',
  ',': '\\,',
  '=': '\\=',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '"': '\\"',
  '\\': '\\\\',
}

/**
 * InfluxDB line protocol escaping (`measurement,tag=v field=1 TIME`), as InfluxDB 1.x and 2.x
 * parse it:
 * - measurement: `,` and space escaped with `\`;
 * - tag keys, tag values and field keys: `,`, `=` and space escaped with `\`;
 * - newline, carriage return and tab cannot appear in these (a newline ends the line): they are
 *   written as the two characters `\n`, `\r`, `\t` (read back as that text);
 * - string field values: in double quotes, `"` and `\` escaped with `\` (newlines kept as is).
 * Other backslashes are written as they are (InfluxDB reads `\` before another character
 * literally); a backslash at the very end of a name or right before a space, `,` or `=` cannot be
 * written in line protocol at all.
 */
export const lineProtocol = {
  measurement(name: string): string {
    return escapeWith(name, MEASUREMENT_SPECIAL, /[ ,\n\r\t]/g)
  },
  /** A tag key, tag value or field key. */
  key(name: string): string {
    return escapeWith(name, KEY_SPECIAL, /[ ,=\n\r\t]/g)
  },
  /** A string field value, quoted. */
  stringField(value: string): string {
    return STRING_SPECIAL.test(value)
      ? `"${value.replace(/["\\]/g, (c) => ESCAPES[c]!)}"`
      : `"${value}"`
  },
}
