import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../../../../lib/db/prepared-statement.js';
import { newId } from '../../../../lib/ids.js';
import type { Logger } from '../../../../lib/log.js';
import { markEmailQueued } from './delivery/commit-kick.js';
import type { NotificationType } from './notification-types.js';
import { inboxClaimParams, inboxClaimSql, type InboxClaim } from '../../../../lib/events/index.js';
import {
  contactParams,
  rememberContactSql,
  rememberOrderContact,
  type NewOrderContact,
} from './order-contacts.js';
import { channelsAccepted } from './preferences.js';
import {
  readActiveTemplate,
  type ActiveTemplate,
  templateCheckParams,
  templateLastRead,
  TEMPLATE_STILL_ACTIVE_SQL,
} from './templates/active-templates.js';
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
  /** An order event's contact, remembered whether or not a message is written. */
  orderContact?: NewOrderContact | null;
}

export interface StoreIdentity {
  storeName: string;
  storeUrl: string;
}

/*
 * The messages one event causes for one recipient, each claimed in `notification_keys` and written
 * only if that claimed it, in one statement (prepared: it runs for every message): the email
 * (pending: the sender delivers it) when given `emailId`, the in-app message (delivered as it is
 * written) when given `inAppId`. It writes them only while the template they were rendered from is
 * still the active one of its name (`template`; `current` says whether it was), and it remembers the
 * order's contact of an order event whatever else it does (`contact`: nothing without an order).
 * With `inboxClaim` (a consumer's `atOnce`) it also claims the event in the inbox, and writes
 * anything, the claim included, only while the template is current (`event_claimed` says whether).
 */
const queueSql = (inboxClaim: boolean) => `
  WITH template AS (${TEMPLATE_STILL_ACTIVE_SQL}),${
    inboxClaim ? `\n  event_claimed AS (${inboxClaimSql('EXISTS (SELECT FROM template)')}),` : ''
  }
  contact AS (${rememberContactSql(inboxClaim ? 'EXISTS (SELECT FROM event_claimed)' : 'true')}),
  wanted (channel, id) AS (VALUES ('email', :emailId::uuid), ('in_app', :inAppId::uuid)),
  claimed AS (
    INSERT INTO notification_keys (event_id, recipient_key, template, channel, notification_id)
    SELECT :eventId::uuid, :recipientKey, :notificationType, wanted.channel, wanted.id
      FROM template, wanted${inboxClaim ? ', event_claimed' : ''}
     WHERE wanted.id IS NOT NULL
    ON CONFLICT DO NOTHING RETURNING channel, notification_id),
  queued AS (
    INSERT INTO notifications (id, user_id, channel, notification_type, template_id, recipient, subject, body,
      body_html, status, event_id, scheduled_at, sent_at, delivered_at)
    SELECT notification_id, :userId::uuid, channel, :notificationType, :templateId::uuid,
      CASE channel WHEN 'email' THEN :recipient END, :subject, :body,
      CASE channel WHEN 'email' THEN :bodyHtml END,
      CASE channel WHEN 'email' THEN 'pending' ELSE 'delivered' END, :eventId::uuid,
      CASE channel WHEN 'email' THEN :at::timestamptz END,
      CASE channel WHEN 'email' THEN NULL ELSE :at::timestamptz END,
      CASE channel WHEN 'email' THEN NULL ELSE :at::timestamptz END
      FROM claimed
    RETURNING channel)
  SELECT EXISTS (SELECT FROM template) AS current,
    EXISTS (SELECT FROM queued WHERE channel = 'email') AS email,
    EXISTS (SELECT FROM queued WHERE channel = 'in_app') AS in_app${
      inboxClaim ? ',\n    EXISTS (SELECT FROM event_claimed) AS event_claimed' : ''
    }`;

interface QueueResult {
  current: boolean;
  email: boolean;
  in_app: boolean;
  event_claimed?: boolean;
}

/**
 * Statements tried when the template keeps changing between its read and the statement; then the
 * handling fails, and the event is tried again later.
 */
const MAX_QUEUE_ATTEMPTS = 3;

/**
 * Writes the messages one event causes for one recipient, in the consumer's transaction: the type's
 * template rendered once, an email (pending: the sender delivers it) unless the customer turned it
 * off (a transactional type cannot be), and an in-app notification for an account when the type
 * has one and the customer accepts it. Each message is first claimed in `notification_keys`
 * (event, recipient, template, channel), so handling the event again writes nothing. No active
 * template of the type's name: nothing is sent (logged). An order event's `orderContact` is
 * remembered in any case, by the same statement when messages are written.
 *
 * The template is the one this process last read (`templateLastRead`), checked by the statement
 * that writes the messages: one edited since (on any replica) is read again and the messages
 * rendered from it, so no message is ever written from a template that is no longer the active one.
 */
export async function queueNotification(
  em: EntityManager,
  store: StoreIdentity,
  request: QueueRequest,
  logger: Logger,
): Promise<{ email: boolean; inApp: boolean }> {
  const { type } = request;
  const contact = request.orderContact ?? null;
  const none = { email: false, inApp: false };
  const noTemplate = () =>
    logger.warn(
      { template: type.name, eventId: request.eventId },
      'no active template: notification not sent',
    );
  let template = templateLastRead(em, type.name) ?? (await readActiveTemplate(em, type.name));
  if (!template) {
    noTemplate();
    if (contact) await rememberOrderContact(em, contact);
    return none;
  }
  const message = await messageOf(em, request);
  if (!message) {
    if (contact) await rememberOrderContact(em, contact);
    return none;
  }
  const values = { store_name: store.storeName, store_url: store.storeUrl, ...request.values };
  for (let attempt = 1; ; attempt++) {
    const [result] = await executePrepared<QueueResult>(em, 'notification:queue', queueSql(false), {
      ...message,
      ...renderedParams(template, values),
    });
    if (result!.current) {
      if (result!.email) markEmailQueued(em);
      return { email: result!.email, inApp: result!.in_app };
    }
    // The template was edited, deactivated or deleted (on any replica) since this process read it:
    // the statement wrote no message (only the order's contact). Read it again.
    if (attempt === MAX_QUEUE_ATTEMPTS) {
      throw new Error(`template ${type.name} changed again each time it was read (${attempt} times)`);
    }
    template = await readActiveTemplate(em, type.name);
    if (!template) {
      noTemplate();
      return none;
    }
  }
}

/**
 * `queueNotification` with the event's inbox claim, in one statement (a consumer's `atOnce`):
 * only for a template this process has read and that is still the active one, and a recipient who
 * takes at least one channel; false, with nothing written, otherwise (and for an event claimed
 * before): the consumer's transaction then goes the general way.
 */
export async function queueNotificationAtOnce(
  em: EntityManager,
  store: StoreIdentity,
  request: QueueRequest,
  claim: InboxClaim,
): Promise<boolean> {
  const template = templateLastRead(em, request.type.name);
  if (!template) return false;
  const message = await messageOf(em, request);
  if (!message) return false;
  const values = { store_name: store.storeName, store_url: store.storeUrl, ...request.values };
  const [result] = await executePrepared<QueueResult>(em, 'notification:queue-at-once', queueSql(true), {
    ...message,
    ...renderedParams(template, values),
    ...inboxClaimParams(claim),
  });
  if (!result!.event_claimed) return false;
  if (result!.email) markEmailQueued(em);
  return true;
}

/**
 * The queue statement's parameters of the messages `request` causes (a new id for each channel the
 * recipient takes: a customer's preferences are read), or undefined when it causes none.
 */
async function messageOf(em: EntityManager, request: QueueRequest) {
  const { type, recipient } = request;
  const accepted =
    type.audience === 'customer' && recipient.userId
      ? await channelsAccepted(em, recipient.userId, type)
      : { email: true, inApp: false };
  const channels = {
    email: accepted.email && (recipient.userId !== null || recipient.email !== null),
    inApp: type.inApp && accepted.inApp && recipient.userId !== null,
  };
  if (!channels.email && !channels.inApp) return undefined;
  return {
    emailId: channels.email ? newId() : null,
    inAppId: channels.inApp ? newId() : null,
    eventId: request.eventId,
    notificationType: type.name,
    recipientKey: recipient.userId ?? recipient.email!,
    userId: recipient.userId,
    recipient: recipient.email,
    at: new Date(),
    ...contactParams(request.orderContact ?? null),
  };
}

/** The queue statement's parameters of the template and of what it renders with `values`. */
function renderedParams(template: ActiveTemplate, values: Record<string, string>) {
  const rendered = renderTemplate(template, values);
  return {
    ...templateCheckParams(template),
    subject: rendered.subject,
    body: rendered.bodyText,
    bodyHtml: rendered.bodyHtml,
  };
}
