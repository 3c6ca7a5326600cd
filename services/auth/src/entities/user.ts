import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

/** An account's credentials. `email` is stored normalised (lower case) and unique case-insensitively. */
export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    email: p.text(),
    passwordHash: p.text().hidden(),
    emailVerified: p.boolean().default(false),
    emailVerifiedAt: p.datetime().nullable(),
    isActive: p.boolean().default(true),
    failedLoginAttempts: p.integer().default(0),
    lockedUntil: p.datetime().nullable(),
    lastLoginAt: p.datetime().nullable(),
    passwordChangedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type User = InferEntity<typeof User>;
