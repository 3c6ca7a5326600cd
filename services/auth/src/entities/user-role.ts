import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { Role } from './role.js';
import { User } from './user.js';

/** A role assigned to a user; unique per (user, role). A role still assigned cannot be deleted. */
export const UserRole = defineEntity({
  name: 'UserRole',
  tableName: 'user_roles',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    user: p.manyToOne(User).ref().deleteRule('cascade'),
    role: p.manyToOne(Role).ref().deleteRule('restrict'),
    /** The admin who granted it; null for roles given by the system (registration, seed). */
    grantedBy: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type UserRole = InferEntity<typeof UserRole>;
