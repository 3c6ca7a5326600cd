/** Where a security-relevant call came from, for the audit log and the refresh token record. */
export interface ClientInfo {
  ip: string | undefined;
  userAgent: string | undefined;
}
