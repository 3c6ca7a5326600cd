import { defineEntity, p, Type, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

/**
 * A calendar date ('1990-05-17') as a string on every driver: node-postgres hands `date` back as a
 * string (MikroORM's parser), PGlite as a Date at UTC midnight.
 */
class CalendarDateType extends Type<string | null | undefined, string | null | undefined> {
  override convertToJSValue(value: string | Date | null | undefined): string | null | undefined {
    return value instanceof Date ? value.toISOString().slice(0, 10) : value;
  }

  override getColumnType(): string {
    return 'date';
  }

  override compareAsType(): string {
    return 'string';
  }
}

/**
 * The extended profile of an account, created from auth's `user.registered` event (one per
 * `userId`, an auth user: cross-service, no foreign key). `email`, `isActive` and `emailVerified`
 * are kept in sync by auth's events.
 */
export const UserProfile = defineEntity({
  name: 'UserProfile',
  tableName: 'user_profiles',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    userId: p.uuid(),
    email: p.text(),
    firstName: p.text().nullable(),
    lastName: p.text().nullable(),
    phone: p.text().nullable(),
    avatarUrl: p.text().nullable(),
    dateOfBirth: p.type(CalendarDateType).nullable(),
    preferredCurrency: p.character().length(3).default('USD'),
    preferredLanguage: p.text().default('en'),
    newsletterSubscribed: p.boolean().default(false),
    marketingOptIn: p.boolean().default(false),
    isActive: p.boolean().default(true),
    emailVerified: p.boolean().default(false),
    lastLoginAt: p.datetime().nullable(),
    /** When the auth event behind `isActive` happened: an older event never overrides a newer one. */
    activeChangedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type UserProfile = InferEntity<typeof UserProfile>;
