/**
 * The load driver only ever talks to this machine: an address must be `127.0.0.1:<port>`.
 * Returns the address unchanged, or throws saying which setting is wrong.
 */
export function assertLoopback(address: string, what = 'target'): string {
  const match = /^127\.0\.0\.1:(\d{1,5})$/.exec(address);
  const port = match ? Number(match[1]) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new Error(
      `${what} must be 127.0.0.1:<port> (the load driver only targets this machine), got "${address}"`,
    );
  }
  return address;
}
