// A JSON string (skipped whole, so digits inside it are not numbers) or a JSON number.
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * The first number in valid JSON text that JavaScript cannot keep: one whose value as a double is
 * not the number written (`1e400` becomes Infinity, `12345678901234567890` loses its last digits,
 * `1e-400` becomes 0). `1.50` and `1.5e1` are kept: the same number, written differently.
 */
export function firstInexactNumber(json: string): string | undefined {
  for (const [token] of json.matchAll(STRING_OR_NUMBER)) {
    if (token.startsWith('"')) continue;
    const value = Number(token);
    if (!Number.isFinite(value) || !sameDecimal(token, String(value))) return token;
  }
  return undefined;
}

/** Whether two decimal numerals (optional sign, fraction, exponent) denote the same number. */
function sameDecimal(a: string, b: string): boolean {
  const x = decimalOf(a);
  const y = decimalOf(b);
  return x.digits === y.digits && x.exponent === y.exponent && (x.digits === '' || x.negative === y.negative);
}

/** `-12.340e3` as negative, significant digits `1234` and the power of ten of the last digit (1). */
function decimalOf(numeral: string): { negative: boolean; digits: string; exponent: number } {
  const [, sign, whole, fraction = '', exponent = '0'] = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(
    numeral,
  )!;
  const all = `${whole}${fraction}`;
  const digits = all.replace(/^0+/, '').replace(/0+$/, '');
  const trailingZeros = all.length - all.replace(/0+$/, '').length;
  return {
    negative: sign === '-',
    digits,
    exponent: Number(exponent) - fraction.length + trailingZeros,
  };
}
