/** Where a security-relevant call came from, for the audit log, rate limits and token records. */
export interface ClientInfo {
  ip: string | undefined;
  userAgent: string | undefined;
}

/** `ipv4:10.0.0.7:51234` → `10.0.0.7`; `ipv6:[::1]:51234` → `::1`; anything else unchanged. */
export function addressOfPeer(peer: string | undefined): string | undefined {
  if (!peer) return undefined;
  const match = /^(?:ipv4:)?([\d.]+):\d+$/.exec(peer) ?? /^(?:ipv6:)?\[([^\]]+)\]:\d+$/.exec(peer);
  return match ? match[1] : peer;
}
