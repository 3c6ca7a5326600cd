/** E.164: a plus sign and 8-15 digits, the first not zero. */
export const E164 = /^\+[1-9][0-9]{7,14}$/;
