import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../../../../lib/db/prepared-statement.js';
import { newId } from '../../../../lib/ids.js';
import type { Logger } from '../../../../lib/log.js';
import { markEmailQueued } from './delivery/commit-kick.js';
import type { NotificationType } from './notification-types.js';
import { channelsAccepted } from './preferences.js';
import { renderTemplate } from './templates/render-template.js';

/** Who a message is for: an account (its address is looked up when sending, unless given) or an address. */
export interface Recipient {
  userId: string | null;
  email: string | null;
}

export interface QueueRequest {
  /** The event that causes the message. */
  eventId: string;
  type: NotificationType;
  recipient: Recipient;
  /** The type's variables; the store's name and address are added. */
  values: Record<string, string>;
}

export interface StoreIdentity {
  storeName: string;
  storeUrl: string;
}

interface TemplateRow {
  id: string;
  subject: string;
  body_text: string;
  body_html: string;
}

/*
 * One message, claimed in `notification_keys` and written only if that claimed it, in one statement
 * (prepared: it runs for every message). An email is pending (the sender delivers it); an in-app
 * message is delivered as it is written.
 */
const QUEUE_SQL = `
  WITH claimed AS (
    INSERT INTO notification_keys (event_id, recipient_key, template, channel, notification_id)
    VALUES (:eventId, :recipientKey, :template, :channel, :id)
    ON CONFLICT DO NOTHING RETURNING notification_id)
  INSERT INTO notifications (id, user_id, channel, notification_type, template_id, recipient, subject, body,
    body_html, status, event_id, scheduled_at, sent_at, delivered_at)
  SELECT notification_id, :userId::uuid, :channel, :template, :templateId::uuid, :recipient, :subject, :body,
    :bodyHtml, :status, :eventId::uuid, CASE WHEN :email THEN :at::timestamptz END,
    CASE WHEN :email THEN NULL ELSE :at::timestamptz END, CASE WHEN :email THEN NULL ELSE :at::timestamptz END
  FROM claimed
  RETURNING id`;

/**
 * Writes the messages one event causes for one recipient, in the consumer's transaction: the type's
 * template rendered once, an email (pending: the sender delivers it) unless the customer turned it
 * off (a transactional type cannot be), and an in-app notification for an account when the type
 * has one and the customer accepts it. Each message is first claimed in `notification_keys`
 * (event, recipient, template, channel), so handling the event again writes nothing. No active
 * template of the type's name: nothing is sent (logged).
 */
export async function queueNotification(
  em: EntityManager,
  store: StoreIdentity,
  request: QueueRequest,
  logger: Logger,
): Promise<{ email: boolean; inApp: boolean }> {
  const { type, recipient } = request;
  const none = { email: false, inApp: false };
  const [template] = await em.execute<TemplateRow[]>(
    'SELECT id, subject, body_text, body_html FROM email_templates WHERE name = ? AND is_active',
    [type.name],
  );
  if (!template) {
    logger.warn(
      { template: type.name, eventId: request.eventId },
      'no active template: notification not sent',
    );
    return none;
  }
  const accepted =
    type.audience === 'customer' && recipient.userId
      ? await channelsAccepted(em, recipient.userId, type)
      : { email: true, inApp: false };
  const channels = {
    email: accepted.email && (recipient.userId !== null || recipient.email !== null),
    inApp: type.inApp && accepted.inApp && recipient.userId !== null,
  };
  if (!channels.email && !channels.inApp) return none;

  const rendered = renderTemplate(
    { subject: template.subject, bodyText: template.body_text, bodyHtml: template.body_html },
    { store_name: store.storeName, store_url: store.storeUrl, ...request.values },
  );
  const recipientKey = recipient.userId ?? recipient.email!;
  const written = { ...none };
  for (const channel of ['email', 'in_app'] as const) {
    if (channel === 'email' ? !channels.email : !channels.inApp) continue;
    const email = channel === 'email';
    const queued = await executePrepared<{ id: string }>(em, 'notification:queue', QUEUE_SQL, {
      id: newId(),
      eventId: request.eventId,
      recipientKey,
      template: type.name,
      channel,
      userId: recipient.userId,
      templateId: template.id,
      recipient: email ? recipient.email : null,
      subject: rendered.subject,
      body: rendered.bodyText,
      bodyHtml: email ? rendered.bodyHtml : null,
      status: email ? 'pending' : 'delivered',
      at: new Date(),
      email,
    });
    if (queued.length === 0) continue;
    if (email) written.email = true;
    else written.inApp = true;
  }
  if (written.email) markEmailQueued(em);
  return written;
}
