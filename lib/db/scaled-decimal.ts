/**
 * Measures stored as decimals, handled in code as integers of a smaller unit: kilograms
 * `numeric(10,3)` ⇄ grams, centimetres `numeric(10,2)` ⇄ millimetres. String manipulation only,
 * never a float, like the money type (money-type.ts).
 */

const DECIMAL = /^(-|\+)?(\d+)(?:\.(\d*))?$/;

/**
 * The decimal as an integer of 10^-scale units: ('1.250', 3) → 1250 (kg → g), ('12.34', 1) → 123
 * (cm → mm). Digits beyond `scale` are rounded half up (away from zero): ('12.35', 1) → 124.
 */
export function scaledIntegerOf(decimal: string, scale: number): number {
  const match = DECIMAL.exec(decimal.trim());
  if (!match) throw new TypeError(`not a decimal number: "${decimal}"`);
  const [, sign, whole = '0', fraction = ''] = match;
  const kept = fraction.slice(0, scale).padEnd(scale, '0');
  const roundsUp = (fraction[scale] ?? '0') >= '5';
  const units = Number(`${whole}${kept}`) + (roundsUp ? 1 : 0);
  if (!Number.isSafeInteger(units)) throw new RangeError(`"${decimal}" is too large`);
  return sign === '-' && units !== 0 ? -units : units;
}

/** The integer of 10^-scale units as a decimal: (1250, 3) → '1.250', (5, 1) → '0.5'. */
export function decimalOfScaledInteger(units: number, scale: number): string {
  if (!Number.isSafeInteger(units)) throw new TypeError(`not an integer: ${String(units)}`);
  const sign = units < 0 ? '-' : '';
  const digits = String(Math.abs(units)).padStart(scale + 1, '0');
  if (scale === 0) return `${sign}${digits}`;
  const cut = digits.length - scale;
  return `${sign}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}
