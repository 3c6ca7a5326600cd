import type { Address } from '../../../../gen/ecommerce/common/v1/address.js';
import { isCurrencyCode, minorUnitExponent, type Money } from '../../../../lib/money.js';

/** How the mails show values: money as `EUR 12.34`, times in UTC, addresses one part a line. */

export function formattedMoney(money: Money | undefined): string {
  if (!money) return '';
  if (!isCurrencyCode(money.currencyCode)) return `${money.amountMinor} ${money.currencyCode}`;
  const exponent = minorUnitExponent(money.currencyCode);
  const sign = money.amountMinor < 0 ? '-' : '';
  const digits = String(Math.abs(money.amountMinor)).padStart(exponent + 1, '0');
  const major = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return `${money.currencyCode} ${sign}${major}`;
}

export function formattedTime(time: Date | undefined): string {
  if (!time) return '';
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formattedAddress(address: Address | undefined): string {
  if (!address) return '';
  const name = [address.firstName, address.lastName].filter(Boolean).join(' ');
  const city = [address.postalCode, address.city].filter(Boolean).join(' ');
  return [name, address.company, address.line1, address.line2, city, address.state, address.country]
    .filter((part) => part && part.trim() !== '')
    .join('\n');
}

/** The name a mail greets with: the one known, else a neutral word. */
export function greetingName(firstName: string | undefined): string {
  const name = firstName?.trim() ?? '';
  return name === '' ? 'there' : name;
}
