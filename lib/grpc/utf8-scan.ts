/** What a string field's bytes hold, as far as the request edge cares. */
export const StringFault = {
  None: 0,
  /** More than the maximum number of code points (the scan stops there). */
  TooLong: 1,
  /** A U+0000 character: PostgreSQL cannot store it in text. */
  Nul: 2,
  /** Not UTF-8: a truncated or overlong sequence, or an encoded surrogate (a lone surrogate of UTF-16). */
  NotUtf8: 3,
} as const;
export type StringFault = (typeof StringFault)[keyof typeof StringFault];

import { isUtf8 } from 'node:buffer';

/** Below this many bytes a loop in JavaScript is faster than calling into native code. */
const NATIVE_FROM = 64;

/**
 * Checks the string in `bytes[start, end)`: valid UTF-8 without U+0000, at most `maxCodePoints` code
 * points. A string far too long is refused by its byte length alone (a code point is at most 4
 * bytes); long ones are checked natively (memchr, simdutf), short ones by one loop here.
 */
export function scanUtf8(bytes: Uint8Array, start: number, end: number, maxCodePoints: number): StringFault {
  const length = end - start;
  if (length > 4 * maxCodePoints) return StringFault.TooLong;
  if (length < NATIVE_FROM) return scanUtf8Loop(bytes, start, end, maxCodePoints);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset + start, length);
  if (length > maxCodePoints && codePointsExceed(view, maxCodePoints)) return StringFault.TooLong;
  if (view.indexOf(0) !== -1) return StringFault.Nul;
  return isUtf8(view) ? StringFault.None : StringFault.NotUtf8;
}

/** Whether UTF-8 bytes hold more than `max` code points (every byte but a continuation byte starts one). */
function codePointsExceed(bytes: Uint8Array, max: number): boolean {
  let count = 0;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i]! & 0xc0) !== 0x80 && ++count > max) return true;
  }
  return false;
}

/**
 * Scans `bytes[start, end)` once: valid UTF-8 without U+0000, at most `maxCodePoints` code points.
 * Surrogates (U+D800..U+DFFF, encoded ED A0..BF xx) are not UTF-8: they are how a lone surrogate of
 * a JavaScript string arrives when a client encodes it naively. The scan stops at the first fault,
 * so a megabyte string costs no more than `maxCodePoints` steps.
 */
function scanUtf8Loop(bytes: Uint8Array, start: number, end: number, maxCodePoints: number): StringFault {
  let codePoints = 0;
  let i = start;
  while (i < end) {
    if (++codePoints > maxCodePoints) return StringFault.TooLong;
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      if (b0 === 0) return StringFault.Nul;
      i += 1;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      if (i + 1 >= end || (bytes[i + 1]! & 0xc0) !== 0x80) return StringFault.NotUtf8;
      i += 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      if (i + 2 >= end) return StringFault.NotUtf8;
      const b1 = bytes[i + 1]!;
      if ((b1 & 0xc0) !== 0x80 || (bytes[i + 2]! & 0xc0) !== 0x80) return StringFault.NotUtf8;
      if (b0 === 0xe0 && b1 < 0xa0) return StringFault.NotUtf8; // overlong
      if (b0 === 0xed && b1 >= 0xa0) return StringFault.NotUtf8; // surrogate
      i += 3;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      if (i + 3 >= end) return StringFault.NotUtf8;
      const b1 = bytes[i + 1]!;
      if ((b1 & 0xc0) !== 0x80 || (bytes[i + 2]! & 0xc0) !== 0x80 || (bytes[i + 3]! & 0xc0) !== 0x80)
        return StringFault.NotUtf8;
      if (b0 === 0xf0 && b1 < 0x90) return StringFault.NotUtf8; // overlong
      if (b0 === 0xf4 && b1 >= 0x90) return StringFault.NotUtf8; // above U+10FFFF
      i += 4;
    } else {
      return StringFault.NotUtf8;
    }
  }
  return StringFault.None;
}
