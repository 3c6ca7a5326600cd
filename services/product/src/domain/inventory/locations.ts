import { invalidArgument } from '../../../../../lib/errors.js';

/** Where stock is when nobody says otherwise (opening stock, restocks). */
export const DEFAULT_LOCATION = 'default';

const LOCATION = /^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,99}$/;

/** A location name: empty means the default; otherwise 1-100 letters, digits, spaces, . _ / -. */
export function requireLocation(value: string, field: string): string {
  const location = value.trim();
  if (location === '') return DEFAULT_LOCATION;
  if (!LOCATION.test(location)) {
    throw invalidArgument(
      field,
      'must be 1-100 letters, digits, spaces, dots, dashes, slashes or underscores',
    );
  }
  return location;
}
