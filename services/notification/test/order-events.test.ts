import { expect } from 'chai';
import type { OrderCancelled } from '../../../gen/ecommerce/order/v1/events.js';
import { NotificationChannel } from '../../../gen/ecommerce/notification/v1/events.js';
import {
  OrderCancelledEvent,
  OrderConfirmedEvent,
  PaymentRefundedEvent,
} from '../../../lib/events/catalog.js';
import {
  InProcessTransport,
  startConsumer,
  type EventType,
  type RunningConsumer,
} from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { money } from '../../../lib/money.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { orderHandlers } from '../src/consumers/order-events.js';
import { paymentHandlers } from '../src/consumers/payment-events.js';
import { setMyPreference } from '../src/domain/preferences.js';
import {
  createTemplate,
  deleteTemplate,
  listTemplates,
  updateTemplate,
} from '../src/domain/templates/template-admin.js';
import {
  envelopeOf,
  logger,
  openNotificationDatabase,
  orderConfirmed,
  publishEnvelope,
  STORE,
  uniqueEmail,
} from './support.js';

/**
 * The order mails as the consumers write them: events published on an in-process transport to the
 * service's own handlers (through the inbox, as in the service), on a scratch database. What is
 * sent is delivery.test.ts's; here, what is queued, what is remembered, and in how many statements.
 */
describe('notification service: the order events', function () {
  let db: ScratchDatabase;
  let transport: InProcessTransport;
  const consumers: RunningConsumer[] = [];
  const em = () => db.orm.em.fork();

  before(async () => {
    db = await openNotificationDatabase('notification_orders');
    transport = new InProcessTransport({ logger });
    const context = { store: STORE, adminEmails: [], logger };
    for (const [source, consumer, handlers] of [
      ['order', 'notification-orders', orderHandlers(context)],
      ['payment', 'notification-payments', paymentHandlers(context)],
    ] as const) {
      consumers.push(await startConsumer({ orm: db.orm, transport, consumer, source, handlers, logger }));
    }
    transport.open();
  });
  after(async () => {
    for (const consumer of consumers) await consumer.stop();
    await transport?.close();
    await db?.drop();
  });

  /** Publishes an event (a `copy` > 0 is a redelivery of the same event); resolves once handled. */
  async function publish<T>(event: EventType<T>, message: T, id = newId(), copy = 0): Promise<string> {
    await publishEnvelope(transport, event.subject, envelopeOf(event, message, id), copy);
    return id;
  }

  /** The notification service's own statements (not the inbox's) that `work` ran. */
  async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const onQuery = db.orm.config.get('onQuery');
    db.orm.config.set('onQuery', (sql: string, params: readonly unknown[]) => {
      seen.push(sql);
      return onQuery(sql, params as unknown[]);
    });
    try {
      await work();
    } finally {
      db.orm.config.set('onQuery', onQuery);
    }
    return seen.filter((sql) =>
      /email_templates|order_contacts|notification_keys|notification_preferences|notifications/.test(sql),
    );
  }

  /** A receipt, so that this process has read the receipt's template before what a test counts. */
  async function warmUp(): Promise<void> {
    await publish(OrderConfirmedEvent, orderConfirmed({ guestEmail: uniqueEmail('warm-up') }));
  }

  async function messagesOf(eventId: string) {
    return em().execute<
      {
        channel: string;
        status: string;
        recipient: string | null;
        user_id: string | null;
        subject: string;
        body: string;
        template_id: string | null;
      }[]
    >(
      'SELECT channel, status, recipient, user_id, subject, body, template_id FROM notifications WHERE event_id = ? ORDER BY channel',
      [eventId],
    );
  }

  async function contactOf(orderId: string) {
    const [row] = await em().execute<
      { order_number: string; user_id: string | null; guest_email: string | null }[]
    >('SELECT order_number, user_id, guest_email FROM order_contacts WHERE order_id = ?', [orderId]);
    return row;
  }

  async function receiptTemplate() {
    const { templates } = await listTemplates(em(), { pageSize: 100, pageToken: '' });
    return templates.find((t) => t.name === 'order_confirmed')!;
  }

  it('queues a guest’s receipt, remembers its order and claims the event in one statement; the refund finds the guest by it', async () => {
    await warmUp();
    const guestEmail = uniqueEmail('guest');
    const order = orderConfirmed({ guestEmail });
    let eventId = '';
    const statements = await statementsOf(async () => {
      eventId = await publish(OrderConfirmedEvent, order);
    });
    expect(statements).to.have.length(1);
    expect(statements[0])
      .to.include('order_contacts')
      .and.include('email_templates')
      .and.include('infra.inbox');

    const [receipt, ...others] = await messagesOf(eventId);
    expect(others).to.deep.equal([]);
    expect(receipt).to.include({
      channel: 'email',
      status: 'pending',
      recipient: guestEmail,
      user_id: null,
      subject: `Order ${order.orderNumber} confirmed`,
      template_id: (await receiptTemplate()).templateId,
    });
    expect(receipt!.body).to.include('2 × Mug (MUG-1) at EUR 12.50').and.include('EUR 29.99');
    expect(await contactOf(order.orderId)).to.deep.equal({
      order_number: order.orderNumber,
      user_id: null,
      guest_email: guestEmail,
    });

    const refund = await publish(PaymentRefundedEvent, {
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
    const [refundMail] = await messagesOf(refund);
    expect(refundMail).to.include({
      channel: 'email',
      recipient: guestEmail,
      subject: 'Your refund of EUR 29.99 is on its way',
    });
    expect(refundMail!.body).to.include(order.orderNumber);
  });

  it('queues a customer’s receipt by email and in the app with their preferences in two statements, honouring an in-app opt-out', async () => {
    await warmUp();
    const userId = newId();
    const order = orderConfirmed({ userId });
    let eventId = '';
    const statements = await statementsOf(async () => {
      eventId = await publish(OrderConfirmedEvent, order);
    });
    expect(statements).to.have.length(2);
    expect(statements[0]).to.include('notification_preferences');
    const [mail, inApp] = await messagesOf(eventId);
    expect(mail).to.include({ channel: 'email', status: 'pending', recipient: null, user_id: userId });
    expect(inApp).to.include({ channel: 'in_app', status: 'delivered', recipient: null, user_id: userId });
    expect(inApp!.subject).to.equal(mail!.subject);
    expect(await contactOf(order.orderId)).to.deep.equal({
      order_number: order.orderNumber,
      user_id: userId,
      guest_email: null,
    });

    await setMyPreference(em(), userId, {
      notificationType: 'order_confirmed',
      channel: NotificationChannel.NOTIFICATION_CHANNEL_IN_APP,
      enabled: false,
    });
    const next = await publish(OrderConfirmedEvent, orderConfirmed({ userId }));
    expect((await messagesOf(next)).map((m) => m.channel)).to.deep.equal(['email']);
  });

  it('writes one receipt for an event delivered again, and for one handled again past the inbox', async () => {
    const order = orderConfirmed({ guestEmail: uniqueEmail('twice') });
    const eventId = newId();
    await publish(OrderConfirmedEvent, order, eventId);
    await publish(OrderConfirmedEvent, order, eventId, 1);
    expect(await messagesOf(eventId)).to.have.length(1);

    // Past the inbox (its claims forgotten), the message's own key still holds.
    await em().execute('DELETE FROM infra.inbox WHERE event_id = ?', [eventId]);
    await publish(OrderConfirmedEvent, order, eventId, 2);
    expect(await messagesOf(eventId)).to.have.length(1);

    const customer = orderConfirmed({ userId: newId() });
    const customerEvent = newId();
    await Promise.all([0, 1, 2].map((copy) => publish(OrderConfirmedEvent, customer, customerEvent, copy)));
    expect((await messagesOf(customerEvent)).map((m) => m.channel)).to.deep.equal(['email', 'in_app']);
  });

  it('remembers the order of a cancellation, and of an order with nobody to mail; nothing without a number', async () => {
    const guestEmail = uniqueEmail('cancel');
    const cancelled: OrderCancelled = {
      orderId: newId(),
      userId: '',
      reason: 'changed my mind',
      cancelledAt: new Date(),
      orderNumber: 'ORD-4200001-1',
      guestEmail,
    };
    const cancellation = await publish(OrderCancelledEvent, cancelled);
    const [mail] = await messagesOf(cancellation);
    expect(mail).to.include({ recipient: guestEmail, subject: 'Order ORD-4200001-1 was cancelled' });
    expect(await contactOf(cancelled.orderId)).to.deep.equal({
      order_number: 'ORD-4200001-1',
      user_id: null,
      guest_email: guestEmail,
    });

    const nobody = orderConfirmed();
    expect(await messagesOf(await publish(OrderConfirmedEvent, nobody))).to.deep.equal([]);
    expect(await contactOf(nobody.orderId)).to.deep.equal({
      order_number: nobody.orderNumber,
      user_id: null,
      guest_email: null,
    });
    const unnumbered = orderConfirmed({ orderNumber: '', guestEmail: uniqueEmail('unnumbered') });
    expect(await messagesOf(await publish(OrderConfirmedEvent, unnumbered))).to.have.length(1);
    expect(await contactOf(unnumbered.orderId)).to.equal(undefined);
  });

  it('renders the next receipt from a template edited after this process read it, sends none while it is inactive, and follows a template made anew', async () => {
    const original = await receiptTemplate();
    const edit = (o: Partial<Parameters<typeof updateTemplate>[1]>) =>
      updateTemplate(em(), { ...original, variables: [...original.variables], ...o });
    try {
      await warmUp();
      const before = orderConfirmed({ guestEmail: uniqueEmail('before') });
      expect((await messagesOf(await publish(OrderConfirmedEvent, before)))[0]!.subject).to.equal(
        `Order ${before.orderNumber} confirmed`,
      );

      // Edited outside this consumer (as UpdateTemplate on another replica would): the next
      // receipt is rendered from the new text, after one more read of the template. The one
      // statement with the inbox claim finds the template changed and writes nothing; the
      // consumer's transaction then queues (finding it changed too), reads it, and queues again.
      await edit({ subject: 'Thanks for {{order_number}}' });
      const after = orderConfirmed({ guestEmail: uniqueEmail('after') });
      let afterEvent = '';
      const statements = await statementsOf(async () => {
        afterEvent = await publish(OrderConfirmedEvent, after);
      });
      expect(statements.map((sql) => sql.includes('notification_keys'))).to.deep.equal([
        true,
        true,
        false,
        true,
      ]);
      expect(await messagesOf(afterEvent)).to.have.length(1);
      expect((await messagesOf(afterEvent))[0]).to.include({
        subject: `Thanks for ${after.orderNumber}`,
        template_id: original.templateId,
      });

      await edit({ subject: 'Thanks for {{order_number}}', isActive: false });
      const inactive = orderConfirmed({ guestEmail: uniqueEmail('inactive') });
      expect(await messagesOf(await publish(OrderConfirmedEvent, inactive))).to.deep.equal([]);
      expect(await contactOf(inactive.orderId)).to.include({ order_number: inactive.orderNumber });
      const stillInactive = orderConfirmed({ guestEmail: uniqueEmail('inactive') });
      expect(await messagesOf(await publish(OrderConfirmedEvent, stillInactive))).to.deep.equal([]);
      expect(await contactOf(stillInactive.orderId)).to.include({ order_number: stillInactive.orderNumber });

      // Deleted: nothing; made again: a new row, with its own id.
      await deleteTemplate(em(), original.templateId);
      const missing = orderConfirmed({ guestEmail: uniqueEmail('missing') });
      expect(await messagesOf(await publish(OrderConfirmedEvent, missing))).to.deep.equal([]);
      expect(await contactOf(missing.orderId)).to.include({ order_number: missing.orderNumber });
      const remade = await createTemplate(em(), {
        ...original,
        variables: [...original.variables],
        subject: 'Order {{order_number}} is ours',
        isActive: true,
      });
      const again = orderConfirmed({ guestEmail: uniqueEmail('remade') });
      expect((await messagesOf(await publish(OrderConfirmedEvent, again)))[0]).to.include({
        subject: `Order ${again.orderNumber} is ours`,
        template_id: remade.templateId,
      });
    } finally {
      const current = await receiptTemplate();
      await updateTemplate(em(), {
        ...original,
        variables: [...original.variables],
        templateId: current.templateId,
        isActive: true,
      });
    }
  });
});
