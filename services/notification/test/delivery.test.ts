import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { NotificationSent } from '../../../gen/ecommerce/notification/v1/events.js';
import { NotificationChannel } from '../../../gen/ecommerce/notification/v1/events.js';
import { NotificationReason } from '../../../lib/error-reasons.js';
import { decodeEnvelope } from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import { eventually } from '../../../lib/testing/eventually.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { deliveriesGivenUp } from '../src/domain/delivery/delivery-metrics.js';
import {
  MailRefusedError,
  type MailReceipt,
  type MailTransport,
  type OutgoingMail,
} from '../src/domain/delivery/delivery-ports.js';
import { retryDelayMs, sendDueNotifications, type SenderPolicy } from '../src/domain/delivery/send-due.js';
import { notificationTypeNamed } from '../src/domain/notification-types.js';
import { setMyPreference } from '../src/domain/preferences.js';
import { purgeNotificationKeys } from '../src/domain/purge-notification-keys.js';
import { queueNotification, type Recipient } from '../src/domain/queue-notification.js';
import { logger, logsOf, notificationsOf, openNotificationDatabase, STORE, uniqueEmail } from './support.js';

/**
 * The transport as the sender sees it, in memory (this is the sender's unit test; the real SMTP
 * and mailbox transports are tested against a real SMTP server in mail-transport.test.ts).
 */
class MemoryTransport implements MailTransport {
  readonly provider = 'memory';
  readonly sent: OutgoingMail[] = [];
  mode: 'up' | 'down' | 'refusing' | 'hanging' = 'up';
  private readonly hung: (() => void)[] = [];

  async send(mail: OutgoingMail): Promise<MailReceipt> {
    if (this.mode === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:25');
    if (this.mode === 'refusing') throw new MailRefusedError('550 mailbox unavailable');
    if (this.mode === 'hanging') await new Promise<void>((resolve) => this.hung.push(resolve));
    this.sent.push(mail);
    return { messageId: `<${mail.notificationId}@test>`, response: '250 OK' };
  }

  release(): void {
    for (const resume of this.hung.splice(0)) resume();
  }

  close(): void {}
}

const POLICY: SenderPolicy = {
  maxAttempts: 3,
  retryBaseMs: 10,
  retryMaxMs: 40,
  sendLeaseMs: 60_000,
  sendBatchSize: 5,
};

describe('notification service: queueing and delivery', function () {
  let db: ScratchDatabase;
  const em = () => db.orm.em.fork();
  const accounts = new Map<string, string>();
  const directory = { emailOf: async (userId: string) => accounts.get(userId) ?? null };
  let mail: MemoryTransport;
  const senderWith = (policy: Partial<SenderPolicy> = {}, transport: MailTransport = mail) => ({
    orm: db.orm,
    mail: transport,
    directory,
    policy: { ...POLICY, ...policy },
    logger,
  });

  async function customer(): Promise<{ userId: string; email: string }> {
    const account = { userId: newId(), email: uniqueEmail() };
    accounts.set(account.userId, account.email);
    return account;
  }

  function queue(type: string, recipient: Recipient, eventId = newId(), values: Record<string, string> = {}) {
    return db.orm.em.fork().transactional((tx) =>
      queueNotification(
        tx,
        STORE,
        {
          eventId,
          type: notificationTypeNamed(type),
          recipient,
          values: { first_name: 'Ada', order_number: 'ORD-7', ...values },
        },
        logger,
      ),
    );
  }

  before(async () => {
    db = await openNotificationDatabase('notification_delivery');
  });
  after(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    mail = new MemoryTransport();
    // Each test starts with nothing due.
    await em().execute("UPDATE notifications SET status = 'failed' WHERE status = 'pending'");
  });

  it('queues a customer’s receipt by email and in the app, and sends it to the address the directory gives', async () => {
    const { userId, email } = await customer();
    const eventId = newId();
    expect(await queue('order_confirmed', { userId, email: null }, eventId)).to.deep.equal({
      email: true,
      inApp: true,
    });
    const [mailRow, inApp] = await notificationsOf(em(), eventId);
    expect(mailRow).to.include({ channel: 'email', status: 'pending', recipient: null, attempts: 0 });
    expect(inApp).to.include({ channel: 'in_app', status: 'delivered' });

    expect(await sendDueNotifications(senderWith())).to.equal(1);
    expect(mail.sent).to.have.length(1);
    expect(mail.sent[0]).to.include({
      to: email,
      subject: 'Order ORD-7 confirmed',
      notificationId: mailRow!.id,
    });
    expect(mail.sent[0]!.text).to.include('Hi Ada,');
    expect(mail.sent[0]!.html).to.include('Test Store');
    const [sent] = await notificationsOf(em(), eventId);
    expect(sent).to.include({ status: 'sent', recipient: email, attempts: 1 });
    expect(await logsOf(em(), mailRow!.id)).to.deep.equal([
      { attempt: 1, status: 'sent', provider: 'memory', error: null },
    ]);

    const [outbox] = await em().execute<{ envelope: Buffer }[]>(
      "SELECT envelope FROM infra.outbox WHERE subject = 'notification.notification.sent' ORDER BY id DESC LIMIT 1",
    );
    const event = NotificationSent.decode(decodeEnvelope(outbox!.envelope).payload);
    expect(event).to.include({
      notificationId: mailRow!.id,
      userId,
      channel: NotificationChannel.NOTIFICATION_CHANNEL_EMAIL,
      template: 'order_confirmed',
      causeEventId: eventId,
    });
  });

  it('writes one message per event, recipient, template and channel, however often the event is handled', async () => {
    const { userId } = await customer();
    const eventId = newId();
    await queue('order_confirmed', { userId, email: null }, eventId);
    expect(await queue('order_confirmed', { userId, email: null }, eventId)).to.deep.equal({
      email: false,
      inApp: false,
    });
    await Promise.all([1, 2, 3].map(() => queue('order_confirmed', { userId, email: null }, eventId)));
    expect(await notificationsOf(em(), eventId)).to.have.length(2);
  });

  it('forgets the keys of events too old to arrive again, in batches, and keeps the rest', async () => {
    const { userId } = await customer();
    const [old, recent] = [newId(), newId()];
    await queue('order_confirmed', { userId, email: null }, old);
    await queue('order_confirmed', { userId, email: null }, recent);
    await em().execute(
      "UPDATE notification_keys SET created_at = now() - interval '31 days' WHERE event_id = ?",
      [old],
    );
    expect(await purgeNotificationKeys(em(), 30, 1)).to.equal(1);
    expect(await purgeNotificationKeys(em(), 30, 1000)).to.equal(1);
    expect(await purgeNotificationKeys(em(), 30, 1000)).to.equal(0);
    const left = await em().execute<{ event_id: string }[]>(
      'SELECT event_id FROM notification_keys WHERE event_id IN (?, ?)',
      [old, recent],
    );
    expect(left.map((row) => row.event_id)).to.deep.equal([recent, recent]);
  });

  it('honours an opt-out of a marketing type while transactional mail is always sent', async () => {
    const { userId } = await customer();
    await setMyPreference(em(), userId, {
      notificationType: 'cart_abandoned',
      channel: NotificationChannel.NOTIFICATION_CHANNEL_EMAIL,
      enabled: false,
    });
    expect(await queue('cart_abandoned', { userId, email: null })).to.deep.equal({
      email: false,
      inApp: true,
    });
    expect(await queue('order_confirmed', { userId, email: null })).to.deep.equal({
      email: true,
      inApp: true,
    });

    const refused = await failureOf(
      setMyPreference(em(), userId, {
        notificationType: 'order_confirmed',
        channel: NotificationChannel.NOTIFICATION_CHANNEL_EMAIL,
        enabled: false,
      }),
    );
    expect(refused.code).to.equal(status.FAILED_PRECONDITION);
    expect(refused.reason).to.equal(NotificationReason.TRANSACTIONAL_NOTIFICATION);
    expect(refused.metadata).to.deep.equal({ notification_type: 'order_confirmed' });
    // In-app can be turned off for any type.
    await setMyPreference(em(), userId, {
      notificationType: 'order_confirmed',
      channel: NotificationChannel.NOTIFICATION_CHANNEL_IN_APP,
      enabled: false,
    });
    expect(await queue('order_confirmed', { userId, email: null })).to.deep.equal({
      email: true,
      inApp: false,
    });
  });

  it('sends a guest’s and the shop’s mail to the address given, with no in-app message', async () => {
    const guest = uniqueEmail('guest');
    const eventId = newId();
    expect(await queue('order_shipped', { userId: null, email: guest }, eventId)).to.deep.equal({
      email: true,
      inApp: false,
    });
    expect(await notificationsOf(em(), eventId)).to.have.length(1);
    await sendDueNotifications(senderWith());
    expect(mail.sent.map((m) => m.to)).to.deep.equal([guest]);
  });

  it('tries a failed delivery again after a growing wait, logging each attempt, until it goes out', async () => {
    const guest = uniqueEmail('guest');
    const eventId = newId();
    await queue('order_cancelled', { userId: null, email: guest }, eventId);
    mail.mode = 'down';
    const policy = { maxAttempts: 5, retryBaseMs: 50, retryMaxMs: 200 };
    await sendDueNotifications(senderWith(policy));
    const [afterOne] = await notificationsOf(em(), eventId);
    expect(afterOne).to.include({ status: 'pending', attempts: 1 });
    await eventually(async () => {
      await sendDueNotifications(senderWith(policy));
      return (await notificationsOf(em(), eventId))[0]!.attempts >= 2;
    });
    mail.mode = 'up';
    await eventually(async () => {
      await sendDueNotifications(senderWith(policy));
      return (await notificationsOf(em(), eventId))[0]!.status === 'sent';
    });
    const logs = await logsOf(em(), afterOne!.id);
    expect(logs.map((l) => l.status)).to.deep.equal([...logs.slice(0, -1).map(() => 'failed'), 'sent']);
    expect(logs.length).to.be.at.least(3);
    expect(logs[0]!.error).to.include('ECONNREFUSED');
    expect(logs.map((l) => l.attempt)).to.deep.equal(logs.map((_, k) => k + 1));
    expect(mail.sent.filter((m) => m.to === guest)).to.have.length(1);
    expect([1, 2, 3, 4].map((n) => retryDelayMs({ ...POLICY, ...policy }, n))).to.deep.equal([
      50, 100, 200, 200,
    ]);
  });

  it('marks a message failed after the last attempt, and counts it', async () => {
    const counted = async () =>
      (await deliveriesGivenUp.get()).values.find((v) => v.labels.cause === 'attempts_exhausted')?.value ?? 0;
    const before = await counted();
    const eventId = newId();
    await queue('order_cancelled', { userId: null, email: uniqueEmail('guest') }, eventId);
    mail.mode = 'down';
    await eventually(async () => {
      await sendDueNotifications(senderWith());
      return (await notificationsOf(em(), eventId))[0]!.status === 'failed';
    });
    const [row] = await notificationsOf(em(), eventId);
    expect(row!.attempts).to.equal(3);
    expect((await logsOf(em(), row!.id)).map((l) => l.status)).to.deep.equal(['failed', 'failed', 'failed']);
    expect(await counted()).to.equal(before + 1);
  });

  it('gives up at once on a refused mail (bounced) and on an account that does not exist', async () => {
    const bouncing = newId();
    await queue('order_cancelled', { userId: null, email: uniqueEmail('guest') }, bouncing);
    mail.mode = 'refusing';
    await sendDueNotifications(senderWith());
    expect((await notificationsOf(em(), bouncing))[0]).to.include({ status: 'bounced', attempts: 1 });

    mail.mode = 'up';
    const ghost = newId();
    await queue('order_cancelled', { userId: newId(), email: null }, ghost);
    await sendDueNotifications(senderWith());
    const [row] = await notificationsOf(em(), ghost);
    expect(row).to.include({ status: 'failed', attempts: 1, recipient: null });
    expect((await logsOf(em(), row!.id))[0]!.error).to.match(/^account .* does not exist$/);
    expect(mail.sent).to.deep.equal([]);
  });

  it('never sends one message twice when two senders run at once', async () => {
    const guests = Array.from({ length: 24 }, () => uniqueEmail('rush'));
    for (const guest of guests) await queue('order_shipped', { userId: null, email: guest });
    const second = new MemoryTransport();
    const claimed = await Promise.all([
      sendDueNotifications(senderWith()),
      sendDueNotifications(senderWith({}, second)),
      sendDueNotifications(senderWith()),
    ]);
    expect(claimed.reduce((a, b) => a + b, 0)).to.equal(24);
    const ids = [...mail.sent, ...second.sent].map((m) => m.notificationId);
    expect(ids).to.have.length(24);
    expect(new Set(ids).size).to.equal(24);
    expect(new Set([...mail.sent, ...second.sent].map((m) => m.to))).to.deep.equal(new Set(guests));
  });

  it('lets another sender take a message whose sender stopped mid-send once the lease runs out, and the late one changes nothing', async () => {
    const eventId = newId();
    await queue('order_cancelled', { userId: null, email: uniqueEmail('guest') }, eventId);
    const stuck = new MemoryTransport();
    stuck.mode = 'hanging';
    const stalled = sendDueNotifications(senderWith({ sendLeaseMs: 100 }, stuck));
    await eventually(
      async () =>
        (
          await em().execute('SELECT 1 FROM notifications WHERE event_id = ? AND scheduled_at > now()', [
            eventId,
          ])
        ).length > 0,
    );
    await eventually(async () => {
      await sendDueNotifications(senderWith());
      return (await notificationsOf(em(), eventId))[0]!.status === 'sent';
    });
    stuck.release();
    await stalled;
    const [row] = await notificationsOf(em(), eventId);
    expect(row).to.include({ status: 'sent', attempts: 1 });
    expect(mail.sent).to.have.length(1);
    const sentEvents = await em().execute<{ id: string }[]>(
      "SELECT id FROM infra.outbox WHERE subject = 'notification.notification.sent' AND envelope::text LIKE ?",
      [`%${Buffer.from(row!.id).toString('hex')}%`],
    );
    expect(sentEvents).to.have.length(1);
  });
});
