import type { EntityManager } from '@mikro-orm/postgresql';
import type { UserRegistered } from '../../../../gen/ecommerce/auth/v1/events.js';
import { notFound } from '../../../../lib/errors.js';
import { UserProfile } from '../entities/user-profile.js';

/** A registration creates the profile; a repeat of the same registration changes nothing. */
export async function createProfileFromRegistration(em: EntityManager, event: UserRegistered): Promise<void> {
  if ((await em.count(UserProfile, { userId: event.userId })) > 0) return;
  em.create(UserProfile, {
    userId: event.userId,
    email: event.email,
    firstName: event.firstName,
    lastName: event.lastName,
  });
  await em.flush();
}

export async function getProfileOf(em: EntityManager, userId: string): Promise<UserProfile> {
  const profile = await em.findOne(UserProfile, { userId });
  if (!profile) throw notFound('profile of user', userId);
  return profile;
}
