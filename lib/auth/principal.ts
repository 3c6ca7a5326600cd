/** Who is calling: the verified claims of an access token. */
export interface Principal {
  userId: string;
  email: string;
  roles: string[];
  permissions: string[];
  /**
   * The login session the token belongs to (the refresh-token family, `sid` claim); absent for
   * service tokens. Logout and ChangePassword use it to tell "this session" from the others.
   */
  sessionId?: string;
}

/** The role an administrator has; it grants every permission. */
export const ADMIN_ROLE = 'admin';
/** The role of another service of the platform calling on its own behalf. */
export const SERVICE_ROLE = 'service';
/** A permission entry that grants every permission. */
export const ALL_PERMISSIONS = '*';

export function hasPermission(principal: Principal, permission: string): boolean {
  return (
    principal.roles.includes(ADMIN_ROLE) ||
    principal.permissions.includes(ALL_PERMISSIONS) ||
    principal.permissions.includes(permission)
  );
}
