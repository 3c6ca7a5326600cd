import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

export type PaymentWebhookStatus = 'pending' | 'processed' | 'ignored' | 'failed';

/**
 * Every provider callback as received. (provider, providerEventId) is unique, so a redelivered
 * callback is recognised (`INSERT … ON CONFLICT DO NOTHING`) and ignored. `ignored`: stored and
 * acknowledged, nothing to apply (a type not acted on, no such payment, a payment already past it).
 */
export const PaymentWebhook = defineEntity({
  name: 'PaymentWebhook',
  tableName: 'payment_webhooks',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    provider: p.text(),
    eventType: p.text(),
    providerEventId: p.text(),
    payload: p.json<Record<string, unknown>>(),
    signatureValid: p.boolean(),
    status: p.text().$type<PaymentWebhookStatus>().default('pending'),
    error: p.text().nullable(),
    processedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type PaymentWebhook = InferEntity<typeof PaymentWebhook>;
