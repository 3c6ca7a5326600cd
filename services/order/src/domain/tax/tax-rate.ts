/**
 * A tax rate is a decimal percentage written as a string ("19", "8.875") and held as an exact
 * integer of parts per million of the amount: 19 % = 190 000 ppm, 8.875 % = 88 750 ppm. A
 * percentage has at most 4 decimals, so the conversion is exact; no float ever holds a rate.
 */
export const PPM = 1_000_000;

const PERCENTAGE = /^(\d{1,3})(?:\.(\d{1,4}))?$/;

/** The rate in ppm, or undefined when `text` is not a percentage from "0" to "100" with at most 4 decimals. */
export function parsePercentage(text: string): number | undefined {
  const match = PERCENTAGE.exec(text);
  if (!match) return undefined;
  const ppm = Number(match[1]) * 10_000 + Number((match[2] ?? '').padEnd(4, '0'));
  return ppm <= PPM ? ppm : undefined;
}

/** The percentage a rate in ppm stands for, as a shop owner writes it: 88 750 → "8.875", 190 000 → "19". */
export function formatPercentage(ppm: number): string {
  const whole = Math.floor(ppm / 10_000);
  const decimals = String(ppm % 10_000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return decimals === '' ? String(whole) : `${whole}.${decimals}`;
}
