import { randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so a number read aloud or typed is not mistaken. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A new RMA number, "RMA-" and 12 random characters (60 bits: unique in practice; the column is unique). */
export function newRmaNumber(): string {
  const bytes = randomBytes(12);
  let text = '';
  for (const byte of bytes) text += ALPHABET[byte & 31];
  return `RMA-${text}`;
}
