import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

/** One setting of a user (unique per user and key); the value is any JSON. */
export const UserPreference = defineEntity({
  name: 'UserPreference',
  tableName: 'user_preferences',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    userId: p.uuid(),
    key: p.text(),
    value: p.json<unknown>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type UserPreference = InferEntity<typeof UserPreference>;
