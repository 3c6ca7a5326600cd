import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { OrderStatus } from '../gen/ecommerce/order/v1/order.js';
import type { MikroORM } from '../lib/db/index.js';
import { newId } from '../lib/ids.js';
import { orderCallers, orderClient, orderEventsOf, orderOrm } from './order-support.js';
import { failureOf, type CallFailure } from './support/clients.js';
import { startTestMesh, type TestMesh } from './support/mesh.js';
import { insertOrder } from './support/order-fixtures.js';

const {
  ORDER_STATUS_PENDING: PENDING,
  ORDER_STATUS_CONFIRMED: CONFIRMED,
  ORDER_STATUS_PROCESSING: PROCESSING,
  ORDER_STATUS_SHIPPED: SHIPPED,
  ORDER_STATUS_DELIVERED: DELIVERED,
  ORDER_STATUS_CANCELLED: CANCELLED,
  ORDER_STATUS_REFUNDED: REFUNDED,
  ORDER_STATUS_UNSPECIFIED: UNSPECIFIED,
} = OrderStatus;

/** UpdateOrderStatus over gRPC: the fulfilment, its history and events, its refusals and races. */
describe('order fulfilment over gRPC: UpdateOrderStatus', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let api: ReturnType<typeof orderClient>;
  let orm: MikroORM;
  let callers: Awaited<ReturnType<typeof orderCallers>>;

  before(async () => {
    mesh = await startTestMesh(['auth', 'order']);
    api = orderClient(mesh);
    orm = await orderOrm(mesh);
    callers = await orderCallers(mesh);
  });
  after(async () => {
    api?.close();
    await mesh?.stop();
  });

  const move = (orderId: string, target: OrderStatus, reason = '', token = callers.admin.token) =>
    api.updateOrderStatus({ orderId, status: target, reason }, { token });

  it('moves an order confirmed → processing → shipped → delivered, each change a history row with who and why', async () => {
    const placed = await insertOrder(orm, { userId: callers.customer.userId });
    expect((await move(placed.id, PROCESSING, 'picking')).order!.status).to.equal(PROCESSING);
    expect(
      (await move(placed.id, SHIPPED, 'handed to the carrier', callers.otherAdmin.token)).order!.status,
    ).to.equal(SHIPPED);
    const { order } = await move(placed.id, DELIVERED);
    expect(order!.status).to.equal(DELIVERED);
    expect(
      order!.history.map((change) => [change.previousStatus, change.status, change.changedBy, change.reason]),
    ).to.deep.equal([
      [UNSPECIFIED, PENDING, 'system', 'checkout started'],
      [PENDING, CONFIRMED, 'system', ''],
      [CONFIRMED, PROCESSING, callers.admin.userId, 'picking'],
      [PROCESSING, SHIPPED, callers.otherAdmin.userId, 'handed to the carrier'],
      [SHIPPED, DELIVERED, callers.admin.userId, ''],
    ]);
    // The customer reads the same history.
    const mine = await api.getOrder({ orderId: placed.id }, { token: callers.customer.token });
    expect(mine.order!.history).to.have.length(5);
  });

  it('announces each change (order.order.status_changed), and a customer’s delivery with its lines (order.order.delivered)', async () => {
    const placed = await insertOrder(orm, { userId: callers.customer.userId });
    await move(placed.id, PROCESSING, 'picking');
    await move(placed.id, SHIPPED);
    await move(placed.id, DELIVERED);
    const { statusChanges, deliveries } = await orderEventsOf(orm, placed.id);
    expect(statusChanges.map((event) => [event.previousStatus, event.status, event.changedBy])).to.deep.equal(
      [
        [CONFIRMED, PROCESSING, callers.admin.userId],
        [PROCESSING, SHIPPED, callers.admin.userId],
        [SHIPPED, DELIVERED, callers.admin.userId],
      ],
    );
    expect(statusChanges[0]).to.include({
      orderNumber: placed.orderNumber,
      userId: callers.customer.userId,
      guestEmail: '',
      reason: 'picking',
    });
    expect(deliveries).to.have.length(1);
    expect(deliveries[0]).to.include({ orderId: placed.id, userId: callers.customer.userId });
    expect(deliveries[0]!.items.map((item) => item.orderItemId)).to.deep.equal(placed.lineIds);
    expect(deliveries[0]!.items.map((item) => item.quantity)).to.deep.equal([2, 1]);
    expect(deliveries[0]!.deliveredAt).to.be.instanceOf(Date);
  });

  it('announces a guest order’s changes with the guest’s email, and its delivery only as a status change', async () => {
    const placed = await insertOrder(orm, { guestEmail: 'grace@example.com', status: 'shipped' });
    await move(placed.id, DELIVERED);
    const { statusChanges, deliveries } = await orderEventsOf(orm, placed.id);
    expect(statusChanges.map((event) => [event.status, event.userId, event.guestEmail])).to.deep.equal([
      [DELIVERED, '', 'grace@example.com'],
    ]);
    expect(deliveries).to.deep.equal([]);
  });

  it('answers an order already in the status as it is: no history row, no event', async () => {
    const placed = await insertOrder(orm, { userId: callers.customer.userId, status: 'processing' });
    const before = await api.getOrder({ orderId: placed.id }, { token: callers.admin.token });
    const again = await move(placed.id, PROCESSING, 'again');
    expect(again.order).to.deep.equal(before.order);
    expect(await orderEventsOf(orm, placed.id)).to.deep.equal({ statusChanges: [], deliveries: [] });
  });

  it('refuses a change the lifecycle does not allow with FAILED_PRECONDITION INVALID_STATUS_TRANSITION', async () => {
    const confirmed = await insertOrder(orm, { userId: callers.customer.userId });
    const cancelled = await insertOrder(orm, { userId: callers.customer.userId, status: 'cancelled' });
    const delivered = await insertOrder(orm, { userId: callers.customer.userId, status: 'delivered' });
    const cases: [string, OrderStatus, string, string][] = [
      [confirmed.id, SHIPPED, 'confirmed', 'shipped'],
      [confirmed.id, DELIVERED, 'confirmed', 'delivered'],
      [cancelled.id, PROCESSING, 'cancelled', 'processing'],
      [delivered.id, SHIPPED, 'delivered', 'shipped'],
    ];
    for (const [orderId, target, from, to] of cases) {
      const failure = await failureOf(move(orderId, target));
      expect(failure.code, `${from}→${to}`).to.equal(status.FAILED_PRECONDITION);
      expect(failure.errorInfo, `${from}→${to}`).to.deep.equal({
        reason: 'INVALID_STATUS_TRANSITION',
        metadata: { entity: 'order', id: orderId, from, to },
      });
    }
    const { order } = await api.getOrder({ orderId: confirmed.id }, { token: callers.admin.token });
    expect(order!.status).to.equal(CONFIRMED);
    expect(order!.history).to.have.length(2);
  });

  it('refuses statuses it does not set, malformed and unknown orders, and callers without order:write', async () => {
    const placed = await insertOrder(orm, { userId: callers.customer.userId });
    for (const target of [UNSPECIFIED, PENDING, CONFIRMED, CANCELLED, REFUNDED]) {
      const failure = await failureOf(move(placed.id, target));
      expect(failure.code, OrderStatus[target]).to.equal(status.INVALID_ARGUMENT);
      expect(failure.violations.map((v) => v.field)).to.deep.equal(['status']);
    }
    const malformed = await failureOf(move('nope', PROCESSING));
    expect(malformed.violations.map((v) => v.field)).to.deep.equal(['order_id']);
    expect((await failureOf(move(newId(), PROCESSING))).code).to.equal(status.NOT_FOUND);
    for (const token of [callers.customer.token, callers.reader.token, callers.service.token]) {
      expect((await failureOf(move(placed.id, PROCESSING, '', token))).code).to.equal(
        status.PERMISSION_DENIED,
      );
    }
    expect(
      (await api.getOrder({ orderId: placed.id }, { token: callers.admin.token })).order!.status,
    ).to.equal(CONFIRMED);
  });

  describe('two admins moving the same order at once', () => {
    it('the same status: both get the same answer, one history row, one event', async () => {
      const placed = await insertOrder(orm, { userId: callers.customer.userId });
      const answers = await Promise.all([
        move(placed.id, PROCESSING, 'admin one'),
        move(placed.id, PROCESSING, 'admin two', callers.otherAdmin.token),
      ]);
      expect(answers.map((answer) => answer.order!.status)).to.deep.equal([PROCESSING, PROCESSING]);
      expect(answers[0]!.order!.history).to.deep.equal(answers[1]!.order!.history);
      expect(answers[0]!.order!.history.filter((change) => change.status === PROCESSING)).to.have.length(1);
      expect((await orderEventsOf(orm, placed.id)).statusChanges).to.have.length(1);
    });

    it('many at once, towards two statuses: each answer is its status or a clean FAILED_PRECONDITION, each change once', async () => {
      const placed = await insertOrder(orm, { userId: callers.customer.userId });
      const targets = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? PROCESSING : SHIPPED));
      const outcomes = await Promise.all(
        targets.map((target, i) =>
          move(
            placed.id,
            target,
            `move ${i}`,
            i % 3 === 0 ? callers.otherAdmin.token : callers.admin.token,
          ).then(
            (answer) => ({ target, status: answer.order!.status }),
            (failure: CallFailure) => ({ target, code: failure.code, reason: failure.errorInfo?.reason }),
          ),
        ),
      );
      for (const outcome of outcomes) {
        if ('status' in outcome) expect(outcome.status).to.equal(outcome.target);
        else
          expect(outcome).to.deep.include({
            code: status.FAILED_PRECONDITION,
            reason: 'INVALID_STATUS_TRANSITION',
          });
      }
      const { order } = await api.getOrder({ orderId: placed.id }, { token: callers.admin.token });
      const moves = order!.history.slice(2);
      // Processing first (the only way from confirmed), then shipped if a SHIPPED came after it.
      expect(moves.map((change) => change.status)).to.deep.equal(
        order!.status === SHIPPED ? [PROCESSING, SHIPPED] : [PROCESSING],
      );
      expect((await orderEventsOf(orm, placed.id)).statusChanges).to.have.length(moves.length);
    });
  });
});
