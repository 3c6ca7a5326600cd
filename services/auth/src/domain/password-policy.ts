import { invalidArgument } from '../../../../lib/errors.js';

export const MIN_PASSWORD_LENGTH = 10;
// argon2 hashes any length, but an unbounded input is a denial-of-service lever.
export const MAX_PASSWORD_LENGTH = 128;

/**
 * NIST 800-63B style: length matters, composition rules mostly do not. We ask for 10+ characters,
 * at least one letter and one digit or symbol, and reject a password equal to the email's name.
 */
export function checkPasswordPolicy(password: string, email: string, field = 'password'): void {
  // The contract counts Unicode code points; `.length` counts UTF-16 units (an emoji is two).
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw invalidArgument(field, `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw invalidArgument(field, `must be at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  if (!/\p{L}/u.test(password) || !/[^\p{L}]/u.test(password)) {
    throw invalidArgument(field, 'must contain a letter and a digit or symbol');
  }
  const localPart = email.split('@')[0] ?? '';
  if (localPart.length >= 4 && password.toLowerCase().includes(localPart)) {
    throw invalidArgument(field, 'must not contain the email address');
  }
}
