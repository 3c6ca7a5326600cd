import { expect } from 'chai';
import { eventually } from '../lib/testing/eventually.js';
import { SmtpSink } from '../services/notification/test/smtp-sink.js';
import { startCheckoutWorld, type CheckoutWorld } from './support/checkout-world.js';

/*
 * What a real checkout mails: the order service's events (order number, guest email, product
 * names) reach the notification service, which mails through a real SMTP server. The customer's
 * address comes from the auth service; the cancellation's refund comes from the payment service.
 */
describe('notification flows: the mail a checkout sends', function () {
  this.timeout(180_000);
  let world: CheckoutWorld;
  let sink: SmtpSink;

  before(async () => {
    sink = await SmtpSink.create();
    world = await startCheckoutWorld(
      { env: { NOTIFICATION_SMTP_URL: sink.url, NOTIFICATION_SEND_INTERVAL_MS: '100' } },
      ['notification'],
    );
  });
  after(async () => {
    await world?.stop();
    await sink?.stop();
  });

  it('mails a guest the receipt of their order, with its number, lines and total', async () => {
    const guest = world.guest();
    const shirt = await world.product([5], 2000);
    const order = await world.placeOrder(guest, await world.cart(guest, [{ product: shirt, quantity: 2 }]));
    const receipt = await eventually(
      () => sink.to(guest.guestEmail!).find((m) => m.subject?.startsWith('Order')),
      {
        timeoutMs: 60_000,
      },
    );
    expect(receipt.subject).to.equal(`Order ${order.orderNumber} confirmed`);
    expect(receipt.text).to.include(`2 × ${order.lines[0]!.productName} (${order.lines[0]!.sku})`);
    expect(receipt.text).to.include(`EUR ${(order.grandTotal!.amountMinor / 100).toFixed(2)}`);
    expect(receipt.text).to.include('Hi Ada,');
  });

  it('mails a customer the receipt, the cancellation and the refund of an order they cancel, each once', async () => {
    const shopper = await world.customer();
    const { user } = await world.api.auth.getUser({ userId: shopper.userId! }, { token: world.admin });
    const email = user!.email;
    const shirt = await world.product([5], 1500);
    const order = await world.placeOrder(
      shopper,
      await world.cart(shopper, [{ product: shirt, quantity: 1 }]),
    );
    await world.api.order.cancelOrder(
      { orderId: order.id, reason: 'changed my mind' },
      { token: shopper.token },
    );
    const expected = [
      `Order ${order.orderNumber} confirmed`,
      `Order ${order.orderNumber} was cancelled`,
      `Your refund of EUR ${(order.grandTotal!.amountMinor / 100).toFixed(2)} is on its way`,
    ];
    const orderMail = () =>
      sink.to(email).filter((m) => m.subject !== 'Confirm your email address for Demo Store');
    await eventually(() => expected.every((subject) => orderMail().some((m) => m.subject === subject)), {
      timeoutMs: 60_000,
    });
    expect(orderMail().map((m) => m.subject)).to.have.members(expected);
    const refund = orderMail().find((m) => m.subject === expected[2])!;
    expect(refund.text).to.include(`for order ${order.orderNumber}`);
    expect(orderMail().find((m) => m.subject === expected[1])!.text).to.include('changed my mind');
  });
});
