import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { User } from './user.js';

/**
 * A rotating refresh token, stored as the SHA-256 of the token. Tokens of one login share a
 * `familyId`; `replacedBy` points to the token it was rotated into, so presenting a replaced token
 * again (reuse) is detectable and revokes the family. The database requires `revokedAt` whenever
 * `revoked` is true.
 */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    user: p.manyToOne(User).ref().deleteRule('cascade'),
    tokenHash: p.text().hidden(),
    familyId: p.uuid(),
    expiresAt: p.datetime(),
    revoked: p.boolean().default(false),
    revokedAt: p.datetime().nullable(),
    revokedReason: p.text().nullable(),
    /** Id of the refresh token this one was rotated into (same table; deferred FK). */
    replacedBy: p.uuid().nullable(),
    ip: p.text().nullable(),
    userAgent: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type RefreshToken = InferEntity<typeof RefreshToken>;
