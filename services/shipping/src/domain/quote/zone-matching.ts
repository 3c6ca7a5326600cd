/**
 * Which zone decides for a destination: among the active zones that match it, the most specific
 * one. A zone matches when the country is one of its countries (no countries: every country), the
 * state is one of its states (when it lists states) and the postal code matches one of its postal
 * patterns (when it lists any). Most specific first: a postal pattern (longer matched part first,
 * an exact pattern before a prefix of the same length), then a state, then a country, then a zone
 * of every country; then the higher priority; then the smaller id.
 */

/** A destination as the zones compare it: country upper case, state and postal code normalised. */
export interface Destination {
  country: string;
  /** Lower case, trimmed; null when the address has none. */
  state: string | null;
  /** Upper case without spaces; null when the address has none. */
  postalCode: string | null;
}

/** What matching needs of a zone (postal patterns already normalised: `postalPatternOf`). */
export interface ZoneRule {
  id: string;
  countries: readonly string[];
  states: readonly string[];
  postalPatterns: readonly string[];
  priority: number;
}

/** How specifically a zone matched: compared level, then length, then exactness. */
interface Specificity {
  /** 3 postal pattern, 2 state, 1 country, 0 every country. */
  level: number;
  /** Characters of the postal code the pattern fixed (0 below the postal level). */
  length: number;
  /** 1 for an exact postal pattern. */
  exact: number;
}

/** A postal code or pattern as stored and compared: upper case, without white space. */
export function normalisedPostal(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

/** A state as compared: trimmed, lower case. */
export function normalisedState(value: string): string {
  return value.trim().toLowerCase();
}

function postalMatch(patterns: readonly string[], postalCode: string): Specificity | undefined {
  let best: Specificity | undefined;
  for (const pattern of patterns) {
    const prefix = pattern.endsWith('*') ? pattern.slice(0, -1) : undefined;
    const matched = prefix === undefined ? pattern === postalCode : postalCode.startsWith(prefix);
    if (!matched) continue;
    const candidate = { level: 3, length: (prefix ?? pattern).length, exact: prefix === undefined ? 1 : 0 };
    if (!best || compareSpecificity(candidate, best) > 0) best = candidate;
  }
  return best;
}

/** How specifically `zone` matches `destination`, or undefined when it does not. */
export function matchOf(zone: ZoneRule, destination: Destination): Specificity | undefined {
  if (zone.countries.length > 0 && !zone.countries.includes(destination.country)) return undefined;
  if (zone.states.length > 0) {
    if (destination.state === null) return undefined;
    if (!zone.states.some((state) => normalisedState(state) === destination.state)) return undefined;
  }
  if (zone.postalPatterns.length > 0) {
    if (destination.postalCode === null) return undefined;
    return postalMatch(zone.postalPatterns, destination.postalCode);
  }
  if (zone.states.length > 0) return { level: 2, length: 0, exact: 0 };
  return { level: zone.countries.length > 0 ? 1 : 0, length: 0, exact: 0 };
}

/** Positive when `a` is more specific than `b`. */
function compareSpecificity(a: Specificity, b: Specificity): number {
  return a.level - b.level || a.length - b.length || a.exact - b.exact;
}

/** The zone that decides for the destination among `zones` (all active), or undefined. */
export function decidingZone<Z extends ZoneRule>(
  zones: readonly Z[],
  destination: Destination,
): Z | undefined {
  let best: { zone: Z; match: Specificity } | undefined;
  for (const zone of zones) {
    const match = matchOf(zone, destination);
    if (!match) continue;
    if (!best) {
      best = { zone, match };
      continue;
    }
    const order =
      compareSpecificity(match, best.match) ||
      zone.priority - best.zone.priority ||
      (zone.id < best.zone.id ? 1 : zone.id > best.zone.id ? -1 : 0);
    if (order > 0) best = { zone, match };
  }
  return best?.zone;
}
