import {
  EmailVerificationRequested,
  PasswordResetRequested,
  UserDeactivated,
  UserEmailVerified,
  UserReactivated,
  UserRegistered,
} from '../../gen/ecommerce/auth/v1/events.js';
import { EventTap } from './event-tap.js';
import type { TestMesh } from './mesh.js';

const AUTH_CODECS = {
  'auth.user.registered': UserRegistered,
  'auth.email_verification.requested': EmailVerificationRequested,
  'auth.user.email_verified': UserEmailVerified,
  'auth.user.deactivated': UserDeactivated,
  'auth.user.reactivated': UserReactivated,
  'auth.password_reset.requested': PasswordResetRequested,
};

/**
 * The auth service's events as a consumer of its own reads them. Tests take the links of
 * verification and reset emails from here.
 */
export type AuthEventTap = EventTap<typeof AUTH_CODECS>;

export const AuthEventTap = {
  start(mesh: TestMesh): Promise<AuthEventTap> {
    return EventTap.start(mesh, { stream: 'auth', codecs: AUTH_CODECS });
  },
};

/** The `token` query parameter of an email link. */
export function tokenOfLink(link: string): string {
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}
