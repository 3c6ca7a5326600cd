import { checked } from '../../../../lib/validation/index.js';

/** Trims and lower-cases an email (accounts are case-insensitive), or fails naming the field. */
export function normaliseEmail(raw: string, field = 'email'): string {
  return checked((v) => v.email(field, raw));
}
