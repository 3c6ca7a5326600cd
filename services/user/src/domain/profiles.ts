import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  UserDeactivated,
  UserEmailVerified,
  UserReactivated,
  UserRegistered,
} from '../../../../gen/ecommerce/auth/v1/events.js';
import type {
  UpdateMyProfileRequest,
  UserProfile as UserProfileMessage,
} from '../../../../gen/ecommerce/user/v1/user.js';
import { notFound } from '../../../../lib/errors.js';
import { requireUuid } from '../../../../lib/validation/index.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { UserProfile } from '../entities/user-profile.js';
import { UserProfileCreatedEvent } from '../../../../lib/events/catalog.js';
import { profileChangesFrom } from './profile-input.js';

export function profileMessage(profile: UserProfile): UserProfileMessage {
  return {
    userId: profile.userId,
    email: profile.email,
    firstName: profile.firstName ?? '',
    lastName: profile.lastName ?? '',
    phone: profile.phone ?? '',
    preferredCurrency: profile.preferredCurrency ?? '',
    preferredLanguage: profile.preferredLanguage ?? '',
    emailVerified: profile.emailVerified,
    isActive: profile.isActive,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
    avatarUrl: profile.avatarUrl ?? '',
    dateOfBirth: profile.dateOfBirth ?? '',
    newsletterSubscribed: profile.newsletterSubscribed,
    marketingOptIn: profile.marketingOptIn,
  };
}

/**
 * A registration creates the profile and announces it (user.profile.created, through the outbox in
 * the consumer's transaction); a repeat of the same registration changes nothing.
 */
export async function createProfileFromRegistration(em: EntityManager, event: UserRegistered): Promise<void> {
  if ((await em.count(UserProfile, { userId: event.userId })) > 0) return;
  em.create(UserProfile, {
    userId: event.userId,
    email: event.email,
    firstName: event.firstName,
    lastName: event.lastName,
  });
  await em.flush();
  await publishEvent(em, 'user', UserProfileCreatedEvent, { userId: event.userId, email: event.email });
}

export async function getProfileOf(em: EntityManager, userId: string): Promise<UserProfile> {
  const profile = await em.findOne(UserProfile, { userId });
  if (!profile) throw notFound('profile of user', userId);
  return profile;
}

/** For staff: any user's profile by id. */
export async function getProfileById(em: EntityManager, userId: string): Promise<UserProfileMessage> {
  return profileMessage(await getProfileOf(em, requireUuid('user_id', userId)));
}

export async function updateMyProfile(
  em: EntityManager,
  userId: string,
  request: UpdateMyProfileRequest,
): Promise<UserProfileMessage> {
  const changes = profileChangesFrom(request);
  const profile = await getProfileOf(em, userId);
  em.assign(profile, changes);
  await em.flush();
  return profileMessage(profile);
}

/**
 * Thrown when an auth event arrives before the registration it follows has been applied: the
 * consumer retries it with backoff, by which time the profile exists.
 */
class ProfileNotYetCreated extends Error {
  constructor(userId: string) {
    super(`no profile for user ${userId} yet (its registration event has not been applied)`);
  }
}

async function requireProfileRow(em: EntityManager, userId: string): Promise<void> {
  if ((await em.count(UserProfile, { userId })) === 0) throw new ProfileNotYetCreated(userId);
}

export async function applyEmailVerified(em: EntityManager, event: UserEmailVerified): Promise<void> {
  await requireProfileRow(em, event.userId);
  await em.nativeUpdate(UserProfile, { userId: event.userId }, { emailVerified: true, email: event.email });
}

/**
 * Deactivation and reactivation carry when they happened: the newer one wins whatever order they are
 * delivered in (an older event applied late changes nothing).
 */
async function applyActive(em: EntityManager, userId: string, isActive: boolean, at: Date): Promise<void> {
  await requireProfileRow(em, userId);
  await em.execute(
    `UPDATE user_profiles SET is_active = ?, active_changed_at = ?, updated_at = now()
      WHERE user_id = ? AND (active_changed_at IS NULL OR active_changed_at < ?)`,
    [isActive, at, userId, at],
  );
}

export function applyDeactivated(em: EntityManager, event: UserDeactivated): Promise<void> {
  return applyActive(em, event.userId, false, event.deactivatedAt ?? new Date(0));
}

export function applyReactivated(em: EntityManager, event: UserReactivated): Promise<void> {
  return applyActive(em, event.userId, true, event.reactivatedAt ?? new Date(0));
}
