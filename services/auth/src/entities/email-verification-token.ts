import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { User } from './user.js';

/**
 * A one-time email verification token (SHA-256 stored) for the address in `email` (which may be a
 * new address the user is changing to). The database requires `verifiedAt` when `verified`.
 */
export const EmailVerificationToken = defineEntity({
  name: 'EmailVerificationToken',
  tableName: 'email_verification_tokens',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    user: p.manyToOne(User).ref().deleteRule('cascade'),
    tokenHash: p.text().hidden(),
    email: p.text(),
    expiresAt: p.datetime(),
    verified: p.boolean().default(false),
    verifiedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type EmailVerificationToken = InferEntity<typeof EmailVerificationToken>;
