/**
 * The checkout floor's notification role (database `<prefix>_notification`, no gRPC server): the
 * order confirmation mail of every order.confirmed (durable consumer): one statement recording it
 * (deduplicated by event id), the mail "sent" to an in-memory sender that does nothing, then one
 * statement marking it sent. A mail recorded but not sent before a crash stays pending: the real
 * service's retry of pending mails is not here.
 */
import { randomUUID } from 'node:crypto';
import {
  consume,
  floorOptions,
  openDatabase,
  openEvents,
  ready,
  run,
  type OrderConfirmedEvent,
} from './shared.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS inbox (event_id uuid PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS notifications (
    id uuid PRIMARY KEY, recipient text NOT NULL, subject text NOT NULL, body text NOT NULL, status text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz)`;

/** The mail, pending, unless this event was applied before (its id in the inbox): then no row. */
const RECORD_MAIL = {
  name: 'record_mail',
  text: `WITH fresh AS (
      INSERT INTO inbox (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id)
    INSERT INTO notifications (id, recipient, subject, body, status)
    SELECT $2, $3, $4, $5, 'pending' FROM fresh
    RETURNING id`,
};

const MARK_SENT = {
  name: 'mark_sent',
  text: `UPDATE notifications SET status = 'sent', sent_at = now() WHERE id = $1`,
};

interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends nothing: the floor counts no SMTP server's or mail provider's time. */
const sender = { send: async (_mail: Mail): Promise<void> => undefined };

function confirmationOf(event: OrderConfirmedEvent): Mail {
  const amount = (minor: number) => `${(minor / 100).toFixed(2)} ${event.currency}`;
  const lines = event.lines.map((line) => `${line.quantity} × ${line.name} (${line.sku})`);
  return {
    to: event.guestEmail,
    subject: `Your order ${event.orderNumber}`,
    text: `Thank you for your order ${event.orderNumber}.\n\n${lines.join('\n')}\n\nTotal: ${amount(event.grandTotalMinor)}\n`,
  };
}

const options = floorOptions();
const pool = await openDatabase(options, 'notification', SCHEMA);
const events = await openEvents(options, 'notification');
const stopConsuming = await consume<OrderConfirmedEvent>(
  events,
  `${options.prefix}_notification`,
  'order.confirmed',
  async (event) => {
    const mail = confirmationOf(event);
    const [recorded] = await run<{ id: string }>(pool, RECORD_MAIL, [
      event.eventId,
      randomUUID(),
      mail.to,
      mail.subject,
      mail.text,
    ]);
    if (!recorded) return; // a redelivery
    await sender.send(mail);
    await run(pool, MARK_SENT, [recorded.id]);
  },
);
ready('notification', async () => {
  stopConsuming();
  await events.nc.drain();
  await pool.end();
});
