import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { OrderStatus, type Order } from '../gen/ecommerce/order/v1/order.js';
import { PaymentStatus } from '../gen/ecommerce/payment/v1/payment.js';
import type { Product } from '../gen/ecommerce/product/v1/product.js';
import {
  ItemCondition,
  ListReturnsRequest,
  RefundMethod,
  RefundStatus,
  RequestReturnRequest,
  ReturnReason,
  ReturnServiceClient,
  ReturnStatus,
  type Return,
} from '../gen/ecommerce/return/v1/return.js';
import { newId } from '../lib/ids.js';
import { BERLIN, startCheckoutWorld, type CheckoutWorld, type Shopper } from './support/checkout-world.js';
import { eventually, failureOf, plainClient } from './support/clients.js';

/**
 * Returns across the return, order, payment and product services over real gRPC: orders placed
 * through the real checkout (coupon, shipping, 19 % tax) and delivered by staff; what returns
 * refund adds up to exactly what was captured; sellable goods go back to stock, damaged ones do
 * not; the order follows its refunds; races never return more than was bought nor refund twice.
 */
describe('returns: RequestReturn to RefundReturn across return, order, payment and product', function () {
  this.timeout(180_000);
  let world: CheckoutWorld;
  let returns: ReturnType<typeof plainClient<typeof ReturnServiceClient.service>>;
  const LONG = { deadlineMs: 60_000 };

  before(async () => {
    world = await startCheckoutWorld({}, ['return']);
    returns = plainClient(ReturnServiceClient, world.mesh.address('return'));
  });
  after(async () => {
    returns?.close();
    await world?.stop();
  });

  const minor = (money: { amountMinor: number } | undefined) => money?.amountMinor ?? NaN;
  /** What the customer paid for a line (tax added on top: the default). */
  const paidFor = (order: Order, lineIndex: number) => {
    const line = order.lines[lineIndex]!;
    return minor(line.unitPrice) * line.quantity - minor(line.discount) + minor(line.tax);
  };

  async function deliveredOrder(
    shopper: Shopper,
    lines: { product: Product; quantity: number }[],
    couponBp = 0,
  ): Promise<Order> {
    const cartId = await world.cart(shopper, lines);
    if (couponBp > 0) {
      const couponCode = await world.coupon(couponBp);
      await world.api.cart.applyCoupon({ cartId, sessionId: '', couponCode }, { token: shopper.token });
    }
    const placed = await world.placeOrder(shopper, cartId);
    for (const status of [
      OrderStatus.ORDER_STATUS_PROCESSING,
      OrderStatus.ORDER_STATUS_SHIPPED,
      OrderStatus.ORDER_STATUS_DELIVERED,
    ]) {
      await world.api.order.updateOrderStatus(
        { orderId: placed.id, status, reason: '' },
        { token: world.admin },
      );
    }
    return (await world.api.order.getOrder({ orderId: placed.id }, { token: shopper.token })).order!;
  }

  function ask(
    shopper: Shopper,
    order: Order,
    lines: { line: number; quantity: number; reason?: ReturnReason }[],
    more: Partial<RequestReturnRequest> = {},
  ): Promise<Return> {
    return returns
      .requestReturn(
        RequestReturnRequest.fromPartial({
          idempotencyKey: `return-${newId()}`,
          orderId: order.id,
          lines: lines.map(({ line, quantity, reason }) => ({
            orderItemId: order.lines[line]!.id,
            quantity,
            reason: reason ?? ReturnReason.RETURN_REASON_CHANGED_MIND,
          })),
          ...more,
        }),
        { token: shopper.token, ...LONG },
      )
      .then((answer) => answer.return!);
  }

  /** Approved by staff, tracked by the customer, received by staff with one condition per line. */
  async function receive(shopper: Shopper, asked: Return, conditions: ItemCondition[]): Promise<Return> {
    await returns.approveReturn(
      { returnId: asked.id, returnAddress: BERLIN, instructions: 'Print the RMA and put it in the parcel.' },
      { token: world.admin },
    );
    await returns.addReturnTracking(
      { returnId: asked.id, carrier: 'DHL', trackingNumber: `JJD${Date.now()}` },
      { token: shopper.token },
    );
    const { return: received } = await returns.receiveReturn(
      {
        returnId: asked.id,
        items: asked.lines.map((line, i) => ({ returnItemId: line.id, condition: conditions[i]! })),
      },
      { token: world.admin, ...LONG },
    );
    return received!;
  }

  const refund = (returnId: string) =>
    returns.refundReturn({ returnId }, { token: world.admin, ...LONG }).then((answer) => answer.return!);

  async function onHand(product: Product): Promise<number> {
    const { levels } = await world.api.product.getStock(
      { variantId: product.variants[0]!.id },
      { token: world.admin },
    );
    return levels.reduce((sum, level) => sum + level.quantity, 0);
  }

  async function paymentOf(order: Order) {
    return world.api.payment.getPayment({ paymentId: order.paymentId }, { token: world.service });
  }

  async function orderStatusOf(order: Order): Promise<OrderStatus> {
    return (await world.api.order.getOrder({ orderId: order.id }, { token: world.admin })).order!.status;
  }

  it('partial returns of a discounted, taxed order refund exactly what was captured; sellable goods are restocked, damaged ones not; the order follows', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([10], 1999);
    const scarf = await world.product([10], 1299);
    const order = await deliveredOrder(
      shopper,
      [
        { product: shirt, quantity: 3 },
        { product: scarf, quantity: 1 },
      ],
      1000,
    );
    expect(minor(order.discountTotal)).to.be.greaterThan(0);
    expect(minor(order.taxTotal)).to.be.greaterThan(0);
    const shirtLine = order.lines.findIndex((line) => line.productId === shirt.id);
    const scarfLine = order.lines.findIndex((line) => line.productId === scarf.id);
    const captured = minor((await paymentOf(order)).payment!.amountCaptured);
    expect(captured).to.equal(minor(order.grandTotal));
    const shipping = captured - paidFor(order, 0) - paidFor(order, 1);
    expect(shipping).to.be.greaterThan(0);

    // One shirt, sellable: refunds floor(line × 1/3) and goes back on the shelf.
    const shirtsBefore = await onHand(shirt);
    const first = await ask(shopper, order, [{ line: shirtLine, quantity: 1 }]);
    expect(first.status).to.equal(ReturnStatus.RETURN_STATUS_PENDING);
    expect(first.rmaNumber).to.match(/^RMA-[0-9A-Z]{12}$/);
    const firstReceived = await receive(shopper, first, [ItemCondition.ITEM_CONDITION_SELLABLE]);
    expect(firstReceived.status).to.equal(ReturnStatus.RETURN_STATUS_RECEIVED);
    expect(firstReceived.authorization!.carrier).to.equal('DHL');
    expect(await onHand(shirt)).to.equal(shirtsBefore + 1);
    const firstRefunded = await refund(first.id);
    const oneShirt = Math.floor(paidFor(order, shirtLine) / 3);
    expect(firstRefunded.status).to.equal(ReturnStatus.RETURN_STATUS_PROCESSED);
    expect(minor(firstRefunded.refundAmount)).to.equal(oneShirt);
    expect(firstRefunded.refund!.status).to.equal(RefundStatus.REFUND_STATUS_COMPLETED);
    expect(firstRefunded.refund!.includesShipping).to.equal(false);
    expect(firstRefunded.history.map((change) => change.status)).to.deep.equal([
      ReturnStatus.RETURN_STATUS_PENDING,
      ReturnStatus.RETURN_STATUS_APPROVED,
      ReturnStatus.RETURN_STATUS_IN_TRANSIT,
      ReturnStatus.RETURN_STATUS_RECEIVED,
      ReturnStatus.RETURN_STATUS_PROCESSED,
    ]);
    await eventually(
      async () => (await orderStatusOf(order)) === OrderStatus.ORDER_STATUS_PARTIALLY_REFUNDED,
      {
        what: 'the order partially refunded',
      },
    );

    // The other two shirts damaged, the scarf sellable: the rest of everything, shipping included.
    const scarvesBefore = await onHand(scarf);
    const shirtsNow = await onHand(shirt);
    const second = await ask(shopper, order, [
      { line: shirtLine, quantity: 2, reason: ReturnReason.RETURN_REASON_DEFECTIVE },
      { line: scarfLine, quantity: 1 },
    ]);
    const lines = second.lines;
    await receive(
      shopper,
      second,
      lines.map((line) =>
        line.productId === shirt.id
          ? ItemCondition.ITEM_CONDITION_DAMAGED
          : ItemCondition.ITEM_CONDITION_SELLABLE,
      ),
    );
    expect(await onHand(shirt), 'damaged shirts are not restocked').to.equal(shirtsNow);
    expect(await onHand(scarf)).to.equal(scarvesBefore + 1);
    const secondRefunded = await refund(second.id);
    expect(minor(secondRefunded.refundAmount)).to.equal(
      paidFor(order, shirtLine) - oneShirt + paidFor(order, scarfLine) + shipping,
    );
    expect(secondRefunded.refund!.includesShipping).to.equal(true);
    expect(minor(firstRefunded.refundAmount) + minor(secondRefunded.refundAmount)).to.equal(captured);

    const { payment, refunds } = await paymentOf(order);
    expect(payment!.status).to.equal(PaymentStatus.PAYMENT_STATUS_REFUNDED);
    expect(minor(payment!.amountRefunded)).to.equal(captured);
    expect(refunds.map((made) => made.returnId).sort()).to.deep.equal([first.id, second.id].sort());
    await eventually(async () => (await orderStatusOf(order)) === OrderStatus.ORDER_STATUS_REFUNDED, {
      what: 'the order refunded',
    });
    const history = (await world.api.order.getOrder({ orderId: order.id }, { token: world.admin })).order!
      .history;
    expect(history.slice(-2).map((change) => change.status)).to.deep.equal([
      OrderStatus.ORDER_STATUS_PARTIALLY_REFUNDED,
      OrderStatus.ORDER_STATUS_REFUNDED,
    ]);

    // Nothing is left to return.
    const more = await failureOf(ask(shopper, order, [{ line: scarfLine, quantity: 1 }]));
    expect(more.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(more.errorInfo?.reason).to.equal('ORDER_NOT_DELIVERED');
  });

  it('two requests racing for the same units never return more than was bought', async () => {
    const shopper = await world.customer();
    const mug = await world.product([20], 900);
    const order = await deliveredOrder(shopper, [{ product: mug, quantity: 3 }]);

    const pair = await Promise.allSettled([
      ask(shopper, order, [{ line: 0, quantity: 3 }]),
      ask(shopper, order, [{ line: 0, quantity: 3 }]),
    ]);
    expect(pair.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(1);
    const refused = pair.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(refused.reason.violations).to.deep.equal([
      {
        field: 'lines[0].quantity',
        description: 'must be at most 0: 3 bought, 3 returned or being returned',
      },
    ]);

    // A rejected return gives its units back; then five one-unit requests at once: three win.
    const winner = (pair.find((outcome) => outcome.status === 'fulfilled') as PromiseFulfilledResult<Return>)
      .value;
    await returns.rejectReturn({ returnId: winner.id, reason: 'no receipt' }, { token: world.admin });
    const burst = await Promise.allSettled(
      Array.from({ length: 5 }, () => ask(shopper, order, [{ line: 0, quantity: 1 }])),
    );
    expect(burst.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(3);
    for (const outcome of burst.filter((o) => o.status === 'rejected') as PromiseRejectedResult[]) {
      expect(outcome.reason.code).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(outcome.reason.violations[0].field).to.equal('lines[0].quantity');
    }
    const { returns: listed } = await returns.listReturns(
      ListReturnsRequest.fromPartial({ statuses: [ReturnStatus.RETURN_STATUS_PENDING], orderId: order.id }),
      { token: world.admin },
    );
    expect(listed.reduce((sum, made) => sum + made.lines[0]!.quantity, 0)).to.equal(3);
  });

  it('50 concurrent refunds of one received return make one refund', async () => {
    const shopper = await world.customer();
    const lamp = await world.product([10], 4550);
    const order = await deliveredOrder(shopper, [{ product: lamp, quantity: 2 }]);
    const asked = await ask(shopper, order, [{ line: 0, quantity: 1 }]);
    await receive(shopper, asked, [ItemCondition.ITEM_CONDITION_SELLABLE]);

    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => refund(asked.id)));
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') {
        expect(minor(outcome.value.refundAmount)).to.equal(Math.floor(paidFor(order, 0) / 2));
      } else {
        // The same refund under way in another call: retry (the contract's ABORTED).
        expect(outcome.reason.code).to.equal(grpc.status.ABORTED);
        expect(outcome.reason.errorInfo?.reason).to.equal('IDEMPOTENCY_KEY_IN_PROGRESS');
      }
    }
    expect(outcomes.some((outcome) => outcome.status === 'fulfilled')).to.equal(true);
    const settled = await refund(asked.id);
    expect(settled.status).to.equal(ReturnStatus.RETURN_STATUS_PROCESSED);
    const { payment, refunds } = await paymentOf(order);
    expect(refunds).to.have.length(1);
    expect(refunds[0]!.returnId).to.equal(asked.id);
    expect(minor(payment!.amountRefunded)).to.equal(Math.floor(paidFor(order, 0) / 2));
    expect(settled.refund!.paymentRefundId).to.equal(refunds[0]!.id);
  });

  it('refuses a return after the window, of an order not delivered, or by store credit, and changes nothing', async () => {
    const shopper = await world.customer();
    const cup = await world.product([10], 700);
    const order = await deliveredOrder(shopper, [{ product: cup, quantity: 1 }]);
    // Delivered 31 days ago (the default window is 30 days).
    const orderDb = await world.mesh.database('order');
    await orderDb.orm.em
      .fork()
      .execute(
        `UPDATE order_status_history SET created_at = now() - interval '31 days' WHERE order_id = ? AND status = 'delivered'`,
        [order.id],
      );
    const late = await failureOf(ask(shopper, order, [{ line: 0, quantity: 1 }]));
    expect(late.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(late.errorInfo?.reason).to.equal('RETURN_WINDOW_CLOSED');
    expect(late.errorInfo?.metadata?.window_days).to.equal('30');

    const cartId = await world.cart(shopper, [{ product: cup, quantity: 1 }]);
    const confirmed = await world.placeOrder(shopper, cartId);
    const early = await failureOf(ask(shopper, confirmed, [{ line: 0, quantity: 1 }]));
    expect(early.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(early.errorInfo?.reason).to.equal('ORDER_NOT_DELIVERED');
    expect(early.errorInfo?.metadata?.status).to.equal('confirmed');

    const fresh = await deliveredOrder(shopper, [{ product: cup, quantity: 1 }]);
    const credit = await failureOf(
      ask(shopper, fresh, [{ line: 0, quantity: 1 }], {
        refundMethod: RefundMethod.REFUND_METHOD_STORE_CREDIT,
      }),
    );
    expect(credit.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(credit.errorInfo?.reason).to.equal('REFUND_METHOD_NOT_OFFERED');
    expect(credit.details).to.equal(
      'store credit is not offered: returns are refunded to the original payment',
    );
    const exchange = await failureOf(
      ask(shopper, fresh, [{ line: 0, quantity: 1 }], { refundMethod: RefundMethod.REFUND_METHOD_EXCHANGE }),
    );
    expect(exchange.errorInfo?.reason).to.equal('REFUND_METHOD_NOT_OFFERED');

    const { returns: mine } = await returns.listMyReturns({ page: undefined }, { token: shopper.token });
    expect(mine).to.deep.equal([]);
  });

  it("another customer's order and return are NOT_FOUND", async () => {
    const owner = await world.customer();
    const other = await world.customer();
    const plate = await world.product([10], 1500);
    const order = await deliveredOrder(owner, [{ product: plate, quantity: 1 }]);

    const theirs = await failureOf(ask(other, order, [{ line: 0, quantity: 1 }]));
    expect(theirs.code).to.equal(grpc.status.NOT_FOUND);
    expect(theirs.details).to.equal(`order ${order.id} not found`);

    const asked = await ask(owner, order, [{ line: 0, quantity: 1 }]);
    for (const call of [
      returns.getReturn({ returnId: asked.id }, { token: other.token }),
      returns.addReturnTracking(
        { returnId: asked.id, carrier: 'DHL', trackingNumber: 'X1' },
        { token: other.token },
      ),
    ]) {
      const failure = await failureOf(call);
      expect(failure.code).to.equal(grpc.status.NOT_FOUND);
      expect(failure.details).to.equal(`return ${asked.id} not found`);
    }
    const { returns: othersList } = await returns.listMyReturns({ page: undefined }, { token: other.token });
    expect(othersList).to.deep.equal([]);
    const denied = await failureOf(
      returns.approveReturn(
        { returnId: asked.id, returnAddress: BERLIN, instructions: '' },
        { token: owner.token },
      ),
    );
    expect(denied.code).to.equal(grpc.status.PERMISSION_DENIED);
    expect((await returns.getReturn({ returnId: asked.id }, { token: owner.token })).return!.status).to.equal(
      ReturnStatus.RETURN_STATUS_PENDING,
    );
  });

  it('bad input is INVALID_ARGUMENT naming every field, and changes nothing', async () => {
    const shopper = await world.customer();
    const bowl = await world.product([10], 1100);
    const order = await deliveredOrder(shopper, [{ product: bowl, quantity: 2 }]);

    const malformed = await failureOf(
      returns.requestReturn(
        RequestReturnRequest.fromPartial({
          idempotencyKey: 'short',
          orderId: 'not-a-uuid',
          lines: [{ orderItemId: '', quantity: 0, reason: ReturnReason.RETURN_REASON_UNSPECIFIED }],
        }),
        { token: shopper.token },
      ),
    );
    expect(malformed.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(malformed.violations.map((violation) => violation.field)).to.deep.equal([
      'idempotency_key',
      'order_id',
      'lines[0].order_item_id',
      'lines[0].quantity',
      'lines[0].reason',
    ]);

    const stranger = await failureOf(
      returns.requestReturn(
        RequestReturnRequest.fromPartial({
          idempotencyKey: `return-${newId()}`,
          orderId: order.id,
          lines: [
            { orderItemId: newId(), quantity: 1, reason: ReturnReason.RETURN_REASON_OTHER },
            { orderItemId: order.lines[0]!.id, quantity: 1, reason: ReturnReason.RETURN_REASON_OTHER },
            { orderItemId: order.lines[0]!.id, quantity: 1, reason: ReturnReason.RETURN_REASON_OTHER },
          ],
        }),
        { token: shopper.token },
      ),
    );
    expect(stranger.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(stranger.violations).to.deep.equal([
      { field: 'lines[2].order_item_id', description: 'names a line already listed' },
    ]);
    const unknownLine = await failureOf(
      returns.requestReturn(
        RequestReturnRequest.fromPartial({
          idempotencyKey: `return-${newId()}`,
          orderId: order.id,
          lines: [{ orderItemId: newId(), quantity: 1, reason: ReturnReason.RETURN_REASON_OTHER }],
        }),
        { token: shopper.token },
      ),
    );
    expect(unknownLine.violations).to.deep.equal([
      { field: 'lines[0].order_item_id', description: 'is not a line of the order' },
    ]);
    const tooMany = await failureOf(ask(shopper, order, [{ line: 0, quantity: 3 }]));
    expect(tooMany.violations).to.deep.equal([
      {
        field: 'lines[0].quantity',
        description: 'must be at most 2: 2 bought, 0 returned or being returned',
      },
    ]);
    expect(
      (await returns.listMyReturns({ page: undefined }, { token: shopper.token })).returns,
    ).to.deep.equal([]);

    // Staff input: the same rule.
    const asked = await ask(shopper, order, [{ line: 0, quantity: 1 }]);
    const badApproval = await failureOf(
      returns.approveReturn(
        { returnId: asked.id, returnAddress: { ...BERLIN, country: 'XX', line1: '' }, instructions: '' },
        { token: world.admin },
      ),
    );
    expect(badApproval.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(badApproval.violations.map((violation) => violation.field)).to.deep.equal([
      'return_address.line1',
      'return_address.country',
    ]);
    const badReceipt = await failureOf(
      returns.receiveReturn(
        {
          returnId: asked.id,
          items: [{ returnItemId: asked.lines[0]!.id, condition: ItemCondition.ITEM_CONDITION_UNSPECIFIED }],
        },
        { token: world.admin },
      ),
    );
    expect(badReceipt.violations).to.deep.equal([
      {
        field: 'items[0].condition',
        description: 'must be ITEM_CONDITION_SELLABLE or ITEM_CONDITION_DAMAGED',
      },
    ]);
    const tooEarly = await failureOf(refund(asked.id));
    expect(tooEarly.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(tooEarly.errorInfo?.reason).to.equal('INVALID_STATUS_TRANSITION');
    const unchanged = (await returns.getReturn({ returnId: asked.id }, { token: world.admin })).return!;
    expect(unchanged.status).to.equal(ReturnStatus.RETURN_STATUS_PENDING);
    expect(unchanged.history).to.have.length(1);
  });

  it('the same key and request answer the same return; a closed pending return gives its units back', async () => {
    const shopper = await world.customer();
    const vase = await world.product([10], 2500);
    const order = await deliveredOrder(shopper, [{ product: vase, quantity: 1 }]);
    const request = RequestReturnRequest.fromPartial({
      idempotencyKey: `return-${newId()}`,
      orderId: order.id,
      lines: [
        { orderItemId: order.lines[0]!.id, quantity: 1, reason: ReturnReason.RETURN_REASON_WRONG_ITEM },
      ],
      notes: 'wrong colour',
    });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => returns.requestReturn(request, { token: shopper.token, ...LONG })),
    );
    expect(new Set(answers.map((answer) => answer.return!.id)).size).to.equal(1);
    const reused = await failureOf(
      returns.requestReturn({ ...request, notes: 'another request' }, { token: shopper.token }),
    );
    expect(reused.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(reused.errorInfo?.reason).to.equal('IDEMPOTENCY_KEY_REUSED');

    const closed = await returns.closeReturn(
      { returnId: answers[0]!.return!.id, note: 'customer kept it' },
      { token: world.admin },
    );
    expect(closed.return!.status).to.equal(ReturnStatus.RETURN_STATUS_CLOSED);
    const again = await ask(shopper, order, [{ line: 0, quantity: 1 }]);
    expect(again.status).to.equal(ReturnStatus.RETURN_STATUS_PENDING);
  });

  it('ListReturns filters by status, order, customer and request dates, and pages by keyset', async () => {
    const shopper = await world.customer();
    const jar = await world.product([10], 800);
    const order = await deliveredOrder(shopper, [{ product: jar, quantity: 3 }]);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await ask(shopper, order, [{ line: 0, quantity: 1 }]));
    await returns.rejectReturn({ returnId: made[0]!.id, reason: 'outside policy' }, { token: world.admin });

    const seen: string[] = [];
    let pageToken = '';
    do {
      const { returns: page, page: next } = await returns.listReturns(
        ListReturnsRequest.fromPartial({ userId: shopper.userId!, page: { pageSize: 1, pageToken } }),
        { token: world.admin },
      );
      seen.push(...page.map((one) => one.id));
      pageToken = next!.nextPageToken;
    } while (pageToken);
    expect(seen).to.deep.equal(made.map((one) => one.id).reverse());

    const { returns: rejected } = await returns.listReturns(
      ListReturnsRequest.fromPartial({ statuses: [ReturnStatus.RETURN_STATUS_REJECTED], orderId: order.id }),
      { token: world.admin },
    );
    expect(rejected.map((one) => one.id)).to.deep.equal([made[0]!.id]);
    expect(rejected[0]!.rejectionReason).to.equal('outside policy');

    const future = new Date(Date.now() + 86_400_000);
    const { returns: none } = await returns.listReturns(
      ListReturnsRequest.fromPartial({ orderId: order.id, requestedFrom: future }),
      { token: world.admin },
    );
    expect(none).to.deep.equal([]);
    const { returns: before } = await returns.listReturns(
      ListReturnsRequest.fromPartial({ orderId: order.id, requestedBefore: future }),
      { token: world.admin },
    );
    expect(before).to.have.length(3);
    const backwards = await failureOf(
      returns.listReturns(
        ListReturnsRequest.fromPartial({ requestedFrom: future, requestedBefore: future }),
        {
          token: world.admin,
        },
      ),
    );
    expect(backwards.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(backwards.violations).to.deep.equal([
      { field: 'requested_before', description: 'must be after requested_from' },
    ]);

    const mine = await returns.listMyReturns(
      { page: { pageSize: 2, pageToken: '' } },
      { token: shopper.token },
    );
    expect(mine.returns.map((one) => one.id)).to.deep.equal([made[2]!.id, made[1]!.id]);
    const badToken = await failureOf(
      returns.listReturns(
        ListReturnsRequest.fromPartial({
          orderId: order.id,
          page: { pageSize: 2, pageToken: mine.page!.nextPageToken },
        }),
        { token: world.admin },
      ),
    );
    expect(badToken.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(badToken.violations[0]!.field).to.equal('page.page_token');
  });
});
