import { expect } from 'chai';
import { OrderStatus } from '../gen/ecommerce/order/v1/order.js';
import { newId } from '../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../lib/testing/scratch-database.js';
import { followShipments } from '../services/order/src/consumers/shipment-progress.js';
import { orderDatabase } from '../services/order/src/database.js';
import { getOrder } from '../services/order/src/domain/get-order.js';
import { orderEventsOf } from './order-support.js';
import { insertOrder, type OrderSpec } from './support/order-fixtures.js';

const {
  ORDER_STATUS_CONFIRMED: CONFIRMED,
  ORDER_STATUS_PROCESSING: PROCESSING,
  ORDER_STATUS_SHIPPED: SHIPPED,
  ORDER_STATUS_DELIVERED: DELIVERED,
  ORDER_STATUS_CANCELLED: CANCELLED,
} = OrderStatus;

/** The order service following its shipments' news: forward only, through every state, once. */
describe('order status from the shipping service’s events', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openScratchDatabase('order_shipment_progress', orderDatabase);
  });
  after(async () => {
    await db?.drop();
  });

  const news = (orderId: string, shipped: boolean, delivered: boolean) =>
    db.orm.em
      .fork()
      .transactional((tx) =>
        followShipments(tx, { orderId, orderFullyShipped: shipped, orderFullyDelivered: delivered }),
      );

  async function placed(spec: OrderSpec = {}) {
    return insertOrder(db.orm, { userId: newId(), ...spec });
  }

  async function statusesOf(orderId: string) {
    const { statusChanges, deliveries } = await orderEventsOf(db.orm, orderId);
    return { changes: statusChanges.map((e) => [e.previousStatus, e.status, e.changedBy]), deliveries };
  }

  it('moves a confirmed order processing → shipped → delivered as its shipments leave and arrive', async () => {
    const order = await placed();
    await news(order.id, false, false);
    await news(order.id, true, false);
    await news(order.id, true, true);
    const { changes, deliveries } = await statusesOf(order.id);
    expect(changes).to.deep.equal([
      [CONFIRMED, PROCESSING, 'system'],
      [PROCESSING, SHIPPED, 'system'],
      [SHIPPED, DELIVERED, 'system'],
    ]);
    expect(deliveries.map((d) => d.items.map((i) => i.orderItemId))).to.deep.equal([order.lineIds]);
  });

  it('walks an order through the states a delivery arriving first skipped, and ignores the late news after it', async () => {
    const order = await placed();
    await news(order.id, true, true);
    await news(order.id, true, true);
    await news(order.id, false, false);
    await news(order.id, true, false);
    const { changes, deliveries } = await statusesOf(order.id);
    expect(changes).to.deep.equal([
      [CONFIRMED, PROCESSING, 'system'],
      [PROCESSING, SHIPPED, 'system'],
      [SHIPPED, DELIVERED, 'system'],
    ]);
    expect(deliveries).to.have.length(1);
    const view = await getOrder(db.orm.em.fork(), { reader: 'staff' }, order.id);
    expect(view.history.map((h) => [h.status, h.changedBy, h.reason]).slice(-3)).to.deep.equal([
      [PROCESSING, 'system', 'a first shipment left'],
      [SHIPPED, 'system', 'every shipment left'],
      [DELIVERED, 'system', 'every shipment was delivered'],
    ]);
  });

  it('leaves a cancelled order cancelled, and an order moved on by staff where it is', async () => {
    const cancelled = await placed({ status: 'cancelled' });
    await news(cancelled.id, true, true);
    const shipped = await placed({ status: 'shipped' });
    await news(shipped.id, false, false);
    await news(shipped.id, true, false);
    expect((await statusesOf(cancelled.id)).changes).to.deep.equal([]);
    expect((await statusesOf(shipped.id)).changes).to.deep.equal([]);
    const view = await getOrder(db.orm.em.fork(), { reader: 'staff' }, cancelled.id);
    expect(view.status).to.equal(CANCELLED);
  });

  it('parks the news of an order it does not know: no retry can help', async () => {
    const failure = await news(newId(), true, false).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.name).to.equal('PermanentEventError');
  });
});
