import { COUNTRY_CODES } from '../../../../../lib/iso-3166.js';
import type { Violations } from '../../../../../lib/validation/index.js';
import type { ShippingZoneType } from '../../entities/shipping-zone.js';
import { normalisedPostal, normalisedState } from '../quote/zone-matching.js';

export const MAX_COUNTRIES = 250;
export const MAX_STATES = 200;
export const MAX_POSTAL_PATTERNS = 500;
const POSTAL_PATTERN = /^[A-Z0-9-]{1,20}\*?$/;

/** Countries, upper case, repeats merged, alphabetical; `field` is the list's path. */
export function countriesOf(v: Violations, field: string, values: readonly string[]): string[] {
  if (values.length > MAX_COUNTRIES) v.add(field, `must have at most ${MAX_COUNTRIES} entries`);
  values.forEach((code, i) => {
    if (!COUNTRY_CODES.has(code)) {
      v.add(`${field}[${i}]`, 'must be an assigned ISO 3166-1 alpha-2 code in upper case, e.g. DE');
    }
  });
  return [...new Set(values)].sort();
}

/** States trimmed, repeats (ignoring case) merged keeping the first spelling, alphabetical. */
export function statesOf(v: Violations, field: string, values: readonly string[]): string[] {
  if (values.length > MAX_STATES) v.add(field, `must have at most ${MAX_STATES} entries`);
  const kept = new Map<string, string>();
  values.forEach((value, i) => {
    const state = v.text(`${field}[${i}]`, value, 1, 100);
    if (!kept.has(normalisedState(state))) kept.set(normalisedState(state), state);
  });
  return [...kept.values()].sort();
}

/** Postal patterns normalised (upper case, no spaces), repeats merged, alphabetical. */
export function postalPatternsOf(v: Violations, field: string, values: readonly string[]): string[] {
  if (values.length > MAX_POSTAL_PATTERNS) v.add(field, `must have at most ${MAX_POSTAL_PATTERNS} entries`);
  const patterns = values.map((value, i) => {
    const pattern = normalisedPostal(value);
    if (!POSTAL_PATTERN.test(pattern)) {
      v.add(
        `${field}[${i}]`,
        'must be 1-20 letters, digits or hyphens, optionally ending in * for a prefix (e.g. 10115 or 10*)',
      );
    }
    return pattern;
  });
  return [...new Set(patterns)].sort();
}

/** A zone's lists together: states and postal patterns name places within countries. */
export function checkZoneLists(
  v: Violations,
  lists: { countries: string[]; states: string[]; postalPatterns: string[] },
  fields: { states: string; postalPatterns: string },
): void {
  if (lists.countries.length > 0) return;
  if (lists.states.length > 0) v.add(fields.states, 'needs at least one country');
  if (lists.postalPatterns.length > 0) v.add(fields.postalPatterns, 'needs at least one country');
}

/** The `type` column, derived from what the zone lists (the most specific criterion). */
export function zoneTypeOf(lists: { states: string[]; postalPatterns: string[] }): ShippingZoneType {
  if (lists.postalPatterns.length > 0) return 'postal_code';
  if (lists.states.length > 0) return 'state';
  return 'country';
}

export function priorityOf(v: Violations, field: string, value: number): number {
  return v.wholeNumber(field, value, -1000, 1000);
}
