import { invalidArgument } from '../../../../lib/errors.js';

const MAX_EMAIL_LENGTH = 254;
// Deliberately plain: one @, a dot in the domain, no spaces. Deliverability is proven by the
// verification email, not by a regular expression.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Trims and lower-cases an email (accounts are case-insensitive), or fails naming the field. */
export function normaliseEmail(raw: string, field = 'email'): string {
  const email = raw.trim().toLowerCase();
  if (email === '') throw invalidArgument(field, 'is required');
  if (email.length > MAX_EMAIL_LENGTH)
    throw invalidArgument(field, `must be at most ${MAX_EMAIL_LENGTH} characters`);
  if (!EMAIL_SHAPE.test(email)) throw invalidArgument(field, 'must be a valid email address');
  return email;
}
