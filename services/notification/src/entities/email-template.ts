import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

/**
 * A message template per event type, by unique `name` (`order_confirmed`, …). `variables` lists the
 * placeholders the template uses (a JSON array).
 */
export const EmailTemplate = defineEntity({
  name: 'EmailTemplate',
  tableName: 'email_templates',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    name: p.text(),
    subject: p.text(),
    bodyHtml: p.text(),
    bodyText: p.text(),
    variables: p.json<string[]>().onCreate(() => []),
    isActive: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type EmailTemplate = InferEntity<typeof EmailTemplate>;
