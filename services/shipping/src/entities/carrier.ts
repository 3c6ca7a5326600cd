import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

/**
 * A carrier's configuration, by unique `code` (`ups`, `dhl`, …). `apiKey` is encrypted by the
 * service (AES-256-GCM, key id inside the ciphertext) and hidden from serialisation.
 */
export const Carrier = defineEntity({
  name: 'Carrier',
  tableName: 'carriers',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    name: p.text(),
    code: p.text(),
    apiEndpoint: p.text().nullable(),
    apiKey: p.text().hidden().nullable(),
    isActive: p.boolean().default(true),
    configuration: p.json<Record<string, unknown>>().onCreate(() => ({})),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Carrier = InferEntity<typeof Carrier>;
