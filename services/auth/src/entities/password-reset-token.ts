import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { User } from './user.js';

/** A one-time password reset token (SHA-256 stored). The database requires `usedAt` when `used`. */
export const PasswordResetToken = defineEntity({
  name: 'PasswordResetToken',
  tableName: 'password_reset_tokens',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    user: p.manyToOne(User).ref().deleteRule('cascade'),
    tokenHash: p.text().hidden(),
    expiresAt: p.datetime(),
    used: p.boolean().default(false),
    usedAt: p.datetime().nullable(),
    ip: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type PasswordResetToken = InferEntity<typeof PasswordResetToken>;
