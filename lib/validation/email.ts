import { invalidArgument } from '../errors.js';

const MAX_EMAIL_LENGTH = 254;
// Deliberately plain: one @, a dot in the domain, no spaces. Deliverability is proven by the
// verification email, not by a regular expression.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What is wrong with an email (already trimmed and lower-cased), or null when nothing is. */
export function emailProblem(email: string): string | null {
  if (email === '') return 'is required';
  if (email.length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters`;
  if (!EMAIL_SHAPE.test(email)) return 'must be a valid email address';
  return null;
}

/**
 * Trims and lower-cases an email (accounts, and a guest's coupon uses, are case-insensitive), or
 * fails naming the field.
 */
export function normaliseEmail(raw: string, field = 'email'): string {
  const email = raw.trim().toLowerCase();
  const problem = emailProblem(email);
  if (problem) throw invalidArgument(field, problem);
  return email;
}
