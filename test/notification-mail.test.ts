import { expect } from 'chai';
import { AuthServiceClient } from '../gen/ecommerce/auth/v1/auth.js';
import { NotificationServiceClient } from '../gen/ecommerce/notification/v1/notification.js';
import { NotificationChannel } from '../gen/ecommerce/notification/v1/events.js';
import { OrderStatus } from '../gen/ecommerce/order/v1/order.js';
import type { OrderConfirmed } from '../gen/ecommerce/order/v1/events.js';
import {
  CartAbandonedEvent,
  InventoryLowStockEvent,
  OrderCancelledEvent,
  OrderConfirmedEvent,
  ReturnApprovedEvent,
  ReturnReceivedEvent,
  ReturnRejectedEvent,
  OrderStatusChangedEvent,
  PaymentRefundedEvent,
} from '../lib/events/catalog.js';
import type { EventTransport } from '../lib/events/index.js';
import { newId } from '../lib/ids.js';
import { orderConfirmed } from '../services/notification/test/support.js';
import { money } from '../lib/money.js';
import { eventually } from '../lib/testing/eventually.js';
import { SmtpSink } from '../services/notification/test/smtp-sink.js';
import { envelopeOf, eventsOf, publishEnvelope, uniqueEmail } from '../services/notification/test/support.js';
import { plainClient } from './support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { accountToken } from './support/tokens.js';

/*
 * The notification service with the auth service, over real gRPC, mailing through a real SMTP
 * server (smtp-server on a port chosen now). Events are published onto the mesh's transport as
 * their services would publish them; every address is unique to its test, so mail of other tests
 * never counts.
 */
describe('notification flows: events to mail through SMTP', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let sink: SmtpSink;
  let events: EventTransport;
  let publisher: Awaited<ReturnType<typeof eventsOf>>;
  let auth: ReturnType<typeof plainClient<typeof AuthServiceClient.service>>;
  let notifications: ReturnType<typeof plainClient<typeof NotificationServiceClient.service>>;
  const admins = [uniqueEmail('admin'), uniqueEmail('buyer')];

  before(async () => {
    sink = await SmtpSink.create();
    mesh = await startTestMesh(['auth', 'notification'], {
      env: {
        NOTIFICATION_SMTP_URL: sink.url,
        NOTIFICATION_ADMIN_EMAILS: admins.join(', '),
        NOTIFICATION_STORE_NAME: 'Flow Store',
        NOTIFICATION_STORE_URL: 'https://flow.test',
        NOTIFICATION_RETRY_BASE_MS: '50',
        NOTIFICATION_RETRY_MAX_MS: '300',
        NOTIFICATION_SEND_INTERVAL_MS: '100',
      },
    });
    publisher = await eventsOf(mesh);
    events = publisher.transport;
    auth = plainClient(AuthServiceClient, mesh.address('auth'));
    notifications = plainClient(NotificationServiceClient, mesh.address('notification'));
  });
  after(async () => {
    auth?.close();
    notifications?.close();
    await publisher?.close();
    await mesh?.stop();
    await sink?.stop();
  });

  const db = async () => (await mesh.database('notification')).orm.em.fork();

  async function registered(): Promise<{ userId: string; email: string }> {
    const email = uniqueEmail('customer');
    const { userId } = await auth.register({
      email,
      password: 'correct-horse-battery-9',
      firstName: 'Ada',
      lastName: 'L',
    });
    return { userId, email };
  }

  /** The service's confirmed order of two mugs, with a name to escape and an address to print. */
  function confirmed(order: Partial<OrderConfirmed>): OrderConfirmed {
    const mugs = orderConfirmed();
    return orderConfirmed({
      items: [{ ...mugs.items[0]!, productName: 'Mug <Deluxe> & Co' }],
      shippingAddress: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        company: '',
        line1: '1 Analytical Row',
        line2: '',
        city: 'London',
        state: '',
        postalCode: 'N1 1AA',
        country: 'GB',
        phone: '',
      },
      ...order,
    });
  }

  async function publish<T>(event: Parameters<typeof envelopeOf<T>>[0], message: T): Promise<string> {
    const envelope = envelopeOf(event, message);
    await publishEnvelope(events, event.subject, envelope);
    return envelope.id;
  }

  it('mails a customer’s receipt to the address auth knows, values escaped in HTML, and shows it in the app', async () => {
    const { userId, email } = await registered();
    const order = confirmed({ userId });
    await publish(OrderConfirmedEvent, order);
    const receipts = () => sink.to(email).filter((m) => m.subject === `Order ${order.orderNumber} confirmed`);
    await eventually(() => receipts().length === 1, { timeoutMs: 30_000 });
    const [mail] = receipts();
    expect(mail!.subject).to.equal(`Order ${order.orderNumber} confirmed`);
    expect(mail!.text).to.include('Hi Ada,');
    expect(mail!.text).to.include('EUR 29.99');
    expect(mail!.text).to.include('2 × Mug <Deluxe> & Co (MUG-1) at EUR 12.50');
    expect(mail!.text).to.include('1 Analytical Row\nN1 1AA London\nGB');
    expect(mail!.html).to.include('Mug &lt;Deluxe&gt; &amp; Co').and.not.include('<Deluxe>');
    expect(mail!.html).to.include('Flow Store');

    // Registering sent the verification mail, with the link auth made, to the same address.
    await eventually(
      () => sink.to(email).some((m) => m.subject === 'Confirm your email address for Flow Store'),
      { timeoutMs: 30_000 },
    );
    const verification = sink
      .to(email)
      .find((m) => m.subject === 'Confirm your email address for Flow Store')!;
    expect(verification.text).to.match(/\/verify-email\?token=[\w-]+/);

    const { token } = await accountToken(mesh, { userId });
    const { notifications: inApp } = await notifications.listMyNotifications(
      { page: undefined, unreadOnly: false },
      { token },
    );
    expect(inApp.map((n) => n.subject)).to.deep.equal([`Order ${order.orderNumber} confirmed`]);
  });

  it('mails a guest when the order ships and when it is delivered, and nothing for other changes', async () => {
    const guestEmail = uniqueEmail('guest');
    const orderNumber = `ORD-${Date.now() % 10_000_000}-3`;
    const change = (status: OrderStatus, previousStatus: OrderStatus) => ({
      orderId: newId(),
      orderNumber,
      userId: '',
      guestEmail,
      previousStatus,
      status,
      changedBy: 'system',
      reason: '',
      changedAt: new Date(),
    });
    const processing = await publish(
      OrderStatusChangedEvent,
      change(OrderStatus.ORDER_STATUS_PROCESSING, OrderStatus.ORDER_STATUS_CONFIRMED),
    );
    await publish(
      OrderStatusChangedEvent,
      change(OrderStatus.ORDER_STATUS_SHIPPED, OrderStatus.ORDER_STATUS_PROCESSING),
    );
    await publish(
      OrderStatusChangedEvent,
      change(OrderStatus.ORDER_STATUS_DELIVERED, OrderStatus.ORDER_STATUS_SHIPPED),
    );
    await eventually(() => sink.to(guestEmail).length === 2, { timeoutMs: 30_000 });
    expect(
      sink
        .to(guestEmail)
        .map((m) => m.subject)
        .sort(),
    ).to.deep.equal([`Order ${orderNumber} is on its way`, `Order ${orderNumber} was delivered`]);
    expect(sink.to(guestEmail).find((m) => m.subject!.endsWith('delivered'))!.text).to.include(
      `https://flow.test/orders/${orderNumber}`,
    );
    const em = await db();
    await eventually(
      async () =>
        (await em.execute('SELECT 1 FROM infra.inbox WHERE event_id = ?', [processing])).length === 1,
      { timeoutMs: 30_000 },
    );
    expect(await em.execute('SELECT 1 FROM notifications WHERE event_id = ?', [processing])).to.deep.equal(
      [],
    );
  });

  it('mails the cancellation, and the refund of a guest’s order to the address its confirmation named', async () => {
    const guestEmail = uniqueEmail('guest');
    const order = confirmed({ guestEmail });
    await publish(OrderConfirmedEvent, order);
    await publish(OrderCancelledEvent, {
      orderId: order.orderId,
      userId: '',
      reason: 'the customer changed their mind',
      cancelledAt: new Date(),
      orderNumber: order.orderNumber,
      guestEmail,
    });
    await eventually(() => sink.to(guestEmail).length === 2, { timeoutMs: 30_000 });
    await publish(PaymentRefundedEvent, {
      refundId: newId(),
      paymentId: order.paymentId,
      orderId: order.orderId,
      userId: '',
      returnId: '',
      amount: money('EUR', 2999),
      refundedAt: new Date(),
      amountCaptured: money('EUR', 2999),
      amountRefundedTotal: money('EUR', 2999),
    });
    await eventually(() => sink.to(guestEmail).length === 3, { timeoutMs: 30_000 });
    const subjects = sink.to(guestEmail).map((m) => m.subject);
    expect(subjects).to.have.members([
      `Order ${order.orderNumber} confirmed`,
      `Order ${order.orderNumber} was cancelled`,
      'Your refund of EUR 29.99 is on its way',
    ]);
    const cancelled = sink.to(guestEmail).find((m) => m.subject!.endsWith('cancelled'))!;
    expect(cancelled.text).to.include('the customer changed their mind');
    const refund = sink.to(guestEmail).find((m) => m.subject!.startsWith('Your refund'))!;
    expect(refund.text).to.include(`for order ${order.orderNumber}`);
  });

  it('mails a return approved with its RMA number, a rejected one with why, and a received one, each once', async () => {
    const { userId, email } = await registered();
    const order = confirmed({ userId });
    await publish(OrderConfirmedEvent, order);
    const [approvedId, rejectedId] = [newId(), newId()];
    await publish(ReturnApprovedEvent, {
      returnId: approvedId,
      rmaNumber: 'RMA-7Q2K9XA41B3C',
      orderId: order.orderId,
      userId,
      expiresAt: new Date('2027-01-31T12:00:00Z'),
      approvedAt: new Date(),
    });
    await publish(ReturnRejectedEvent, {
      returnId: rejectedId,
      orderId: order.orderId,
      userId,
      reason: 'worn <twice> & washed',
      rejectedAt: new Date(),
    });
    await publish(ReturnReceivedEvent, {
      returnId: approvedId,
      orderId: order.orderId,
      userId,
      items: [],
      receivedAt: new Date(),
    });

    const subjects = [
      `Your return for order ${order.orderNumber} is approved: RMA-7Q2K9XA41B3C`,
      `Your return for order ${order.orderNumber} was not accepted`,
      `We received your return for order ${order.orderNumber}`,
    ];
    await eventually(() => subjects.every((subject) => sink.to(email).some((m) => m.subject === subject)), {
      timeoutMs: 30_000,
    });
    const mails = sink.to(email).filter((m) => subjects.includes(m.subject ?? ''));
    expect(mails.map((m) => m.subject).sort()).to.deep.equal([...subjects].sort());
    const approved = mails.find((m) => m.subject === subjects[0])!;
    expect(approved.text).to.include(`/returns/${approvedId}`);
    const rejected = mails.find((m) => m.subject === subjects[1])!;
    expect(rejected.text).to.include('worn <twice> & washed');
    expect(rejected.html).to.include('worn &lt;twice&gt; &amp; washed');
  });

  it('does not mail an abandoned cart to a customer who opted out, while their receipt goes out', async () => {
    const { userId, email } = await registered();
    const { token } = await accountToken(mesh, { userId });
    const { preference } = await notifications.setMyNotificationPreference(
      {
        notificationType: 'cart_abandoned',
        channel: NotificationChannel.NOTIFICATION_CHANNEL_EMAIL,
        enabled: false,
      },
      { token },
    );
    expect(preference).to.include({ emailEnabled: false, inAppEnabled: true, transactional: false });
    const cartEvent = await publish(CartAbandonedEvent, {
      cartId: newId(),
      userId,
      sessionId: '',
      items: [],
      subtotal: money('EUR', 1000),
      itemCount: 2,
      couponCode: '',
      lastActivityAt: new Date(),
      abandonedAt: new Date(),
    });
    const order = confirmed({ userId });
    await publish(OrderConfirmedEvent, order);
    const receipts = () => sink.to(email).filter((m) => m.subject === `Order ${order.orderNumber} confirmed`);
    await eventually(() => receipts().length === 1, { timeoutMs: 30_000 });
    const em = await db();
    await eventually(
      async () =>
        (await em.execute('SELECT 1 FROM infra.inbox WHERE event_id = ?', [cartEvent])).length === 1,
      { timeoutMs: 30_000 },
    );
    const rows = await em.execute<{ channel: string }[]>(
      'SELECT channel FROM notifications WHERE event_id = ?',
      [cartEvent],
    );
    expect(rows.map((r) => r.channel)).to.deep.equal(['in_app']);
    // The address verification comes from the auth service's stream, in no order with the receipt.
    const verification = 'Confirm your email address for Flow Store';
    await eventually(() => sink.to(email).some((m) => m.subject === verification), { timeoutMs: 30_000 });
    expect(sink.to(email).map((m) => m.subject)).to.have.members([
      `Order ${order.orderNumber} confirmed`,
      verification,
    ]);
  });

  it('sends one mail for an event delivered three times', async () => {
    const guestEmail = uniqueEmail('guest');
    const order = confirmed({ guestEmail });
    const envelope = envelopeOf(OrderConfirmedEvent, order);
    for (const copy of [0, 1, 2]) await publishEnvelope(events, OrderConfirmedEvent.subject, envelope, copy);
    // A later event on the same stream: once its mail is out, the copies before it were handled.
    const marker = confirmed({ guestEmail });
    await publish(OrderConfirmedEvent, marker);
    await eventually(() => sink.to(guestEmail).length >= 2, { timeoutMs: 30_000 });
    const em = await db();
    await eventually(
      async () =>
        (
          await em.execute("SELECT 1 FROM notifications WHERE event_id = ? AND status = 'sent'", [
            envelope.id,
          ])
        ).length === 1,
    );
    expect(
      sink
        .to(guestEmail)
        .map((m) => m.subject)
        .sort(),
    ).to.deep.equal([`Order ${order.orderNumber} confirmed`, `Order ${marker.orderNumber} confirmed`].sort());
    expect(await em.execute('SELECT 1 FROM notifications WHERE event_id = ?', [envelope.id])).to.have.length(
      1,
    );
  });

  it('tells a customer, at the address auth knows, that their account was deactivated and that it is active again', async () => {
    const { userId, email } = await registered();
    const admin = (await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
    await auth.deactivateUser({ userId, reason: 'chargebacks' }, { token: admin });
    await auth.reactivateUser({ userId }, { token: admin });
    const notices = () => sink.to(email).filter((m) => m.subject?.startsWith('Your Flow Store account'));
    await eventually(() => notices().length === 2, { timeoutMs: 30_000 });
    expect(notices().map((m) => m.subject)).to.have.members([
      'Your Flow Store account has been deactivated',
      'Your Flow Store account is active again',
    ]);
  });

  it('alerts every admin address of low stock', async () => {
    const sku = `SKU-${newId().slice(-8)}`;
    await publish(InventoryLowStockEvent, {
      productId: newId(),
      variantId: newId(),
      sku,
      location: 'main',
      availableQuantity: 2,
      lowStockThreshold: 5,
    });
    await eventually(
      () => admins.every((admin) => sink.to(admin).some((m) => m.subject === `Low stock: ${sku} at main`)),
      {
        timeoutMs: 30_000,
      },
    );
    for (const admin of admins)
      expect(sink.to(admin).filter((m) => m.subject?.includes(sku))).to.have.length(1);
  });

  it('delivers every mail of a burst exactly once after the SMTP server comes back, logging the failed attempts', async () => {
    await sink.stop();
    const guests = Array.from({ length: 12 }, () => uniqueEmail('burst'));
    const eventIds: string[] = [];
    for (const guestEmail of guests) {
      eventIds.push(
        await publish(OrderCancelledEvent, {
          orderId: newId(),
          userId: '',
          reason: 'payment declined',
          cancelledAt: new Date(),
          orderNumber: `ORD-${newId().slice(-6)}`,
          guestEmail,
        }),
      );
    }
    const em = await db();
    const failedAttempts = async () =>
      em.execute<{ notification_id: string }[]>(
        `SELECT DISTINCT l.notification_id FROM notification_logs l JOIN notifications n ON n.id = l.notification_id
          WHERE n.event_id IN (${eventIds.map(() => '?').join(', ')}) AND l.status = 'failed'`,
        eventIds,
      );
    await eventually(async () => (await failedAttempts()).length === guests.length, { timeoutMs: 30_000 });
    await sink.start();
    await eventually(() => guests.every((guest) => sink.to(guest).length >= 1), { timeoutMs: 60_000 });
    await eventually(
      async () =>
        (
          await em.execute(
            `SELECT 1 FROM notifications WHERE event_id IN (${eventIds.map(() => '?').join(', ')}) AND status = 'sent'`,
            eventIds,
          )
        ).length === guests.length,
    );
    for (const guest of guests) expect(sink.to(guest), guest).to.have.length(1);
    const logs = await em.execute<{ notification_id: string; attempt: number; status: string }[]>(
      `SELECT l.notification_id, l.attempt, l.status FROM notification_logs l JOIN notifications n ON n.id = l.notification_id
        WHERE n.event_id IN (${eventIds.map(() => '?').join(', ')}) ORDER BY l.notification_id, l.attempt`,
      eventIds,
    );
    const byNotification = new Map<string, string[]>();
    for (const log of logs)
      byNotification.set(log.notification_id, [
        ...(byNotification.get(log.notification_id) ?? []),
        log.status,
      ]);
    expect(byNotification.size).to.equal(guests.length);
    for (const statuses of byNotification.values()) {
      expect(statuses.at(-1)).to.equal('sent');
      expect(statuses.slice(0, -1)).to.have.length.at.least(1);
      expect(new Set(statuses.slice(0, -1))).to.deep.equal(new Set(['failed']));
    }
  });

  it('sends a mail left pending by a stopped service once it runs again', async () => {
    await sink.stop();
    const guestEmail = uniqueEmail('restart');
    const eventId = await publish(OrderCancelledEvent, {
      orderId: newId(),
      userId: '',
      reason: 'out of stock',
      cancelledAt: new Date(),
      orderNumber: `ORD-${newId().slice(-6)}`,
      guestEmail,
    });
    const em = await db();
    await eventually(
      async () =>
        (
          await em.execute(
            `SELECT 1 FROM notification_logs l JOIN notifications n ON n.id = l.notification_id
              WHERE n.event_id = ? AND l.status = 'failed'`,
            [eventId],
          )
        ).length > 0,
      { timeoutMs: 30_000 },
    );
    await mesh.stopService('notification');
    await sink.start();
    await mesh.startService('notification');
    await eventually(() => sink.to(guestEmail).length === 1, { timeoutMs: 60_000 });
    // The outcome is committed just after the server accepted the mail.
    const restarted = await db();
    await eventually(async () => {
      const rows = await restarted.execute<{ status: string }[]>(
        'SELECT status FROM notifications WHERE event_id = ?',
        [eventId],
      );
      expect(rows).to.deep.equal([{ status: 'sent' }]);
      return true;
    });
    expect(sink.to(guestEmail)).to.have.length(1);
  });
});
