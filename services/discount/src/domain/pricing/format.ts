import { minorUnitExponent } from '../../../../../lib/money.js';

/** 15000 EUR → "150.00 EUR", 1500 JPY → "1500 JPY", 1250 KWD → "1.250 KWD". */
export function formatMoney(amount: number, currency: string): string {
  const exponent = minorUnitExponent(currency);
  if (exponent === 0) return `${amount} ${currency}`;
  const digits = String(amount).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)} ${currency}`;
}

/** Basis points as a percentage: 1000 → "10 %", 1250 → "12.5 %", 5 → "0.05 %". */
export function formatPercent(bp: number): string {
  const whole = Math.floor(bp / 100);
  const fraction = String(bp % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''} %`;
}

/** "1 unit", "3 units". */
export function units(count: number, noun = 'unit'): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
