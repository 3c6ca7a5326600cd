import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { OrderConfirmed } from '../gen/ecommerce/order/v1/events.js';
import { OrderStatus, type Order } from '../gen/ecommerce/order/v1/order.js';
import type { Product } from '../gen/ecommerce/product/v1/product.js';
import { ShipmentStatus, type Shipment } from '../gen/ecommerce/shipping/v1/shipping.js';
import { ShippingReason } from '../lib/error-reasons.js';
import { OrderConfirmedEvent } from '../lib/events/catalog.js';
import { decodeEnvelope } from '../lib/events/index.js';
import { newId } from '../lib/ids.js';
import { orderEventsOf } from './order-support.js';
import { startCheckoutWorld, type CheckoutWorld, type Shopper } from './support/checkout-world.js';
import { eventually, failureOf } from './support/clients.js';
import { accountToken } from './support/tokens.js';

const HOUR = 3600;
const {
  ORDER_STATUS_PENDING: PENDING,
  ORDER_STATUS_CONFIRMED: CONFIRMED,
  ORDER_STATUS_PROCESSING: PROCESSING,
  ORDER_STATUS_SHIPPED: SHIPPED,
  ORDER_STATUS_DELIVERED: DELIVERED,
  ORDER_STATUS_CANCELLED: CANCELLED,
  ORDER_STATUS_UNSPECIFIED: UNSPECIFIED,
} = OrderStatus;

/**
 * The fulfilment across the services, over real gRPC: an order placed through the real checkout
 * gets its shipment from order.order.confirmed; the staff split and ship it through the simulated
 * carrier; its tracking moves the order processing → shipped → delivered in the order service.
 */
describe('fulfilment: from a confirmed order to its delivery, across order and shipping', function () {
  this.timeout(120_000);
  let world: CheckoutWorld;
  let carrierId: string;
  let product: Product;

  before(async () => {
    world = await startCheckoutWorld();
    const { carrier } = await world.api.shipping.createCarrier(
      {
        name: 'Simulated',
        code: `sim_${Date.now().toString(36)}`,
        apiEndpoint: '',
        apiKey: '',
        configurationJson: '',
      },
      { token: world.admin },
    );
    carrierId = carrier!.id;
    product = await world.product([100, 100]);
  });
  after(() => world?.stop());

  const admin = () => ({ token: world.admin });

  async function placedOrder(shopper: Shopper): Promise<Order> {
    const cartId = await world.cart(shopper, [
      { product, variant: 0, quantity: 2 },
      { product, variant: 1, quantity: 1 },
    ]);
    const order = await world.placeOrder(shopper, cartId);
    expect(order.status).to.equal(CONFIRMED);
    return order;
  }

  async function shipmentsOf(orderId: string): Promise<Shipment[]> {
    return (await world.api.shipping.listOrderShipments({ orderId }, admin())).shipments;
  }

  /** The order's shipments once the shipping service has consumed its confirmation. */
  function shipmentsOnceCreated(orderId: string): Promise<Shipment[]> {
    return eventually(async () => {
      const shipments = await shipmentsOf(orderId);
      return shipments.length > 0 && shipments;
    });
  }

  async function orderReaches(orderId: string, target: OrderStatus, token: string): Promise<Order> {
    return eventually(
      async () => {
        const { order } = await world.api.order.getOrder({ orderId }, { token });
        return order!.status === target && order!;
      },
      { what: `order ${orderId} to reach ${OrderStatus[target]}` },
    );
  }

  /** A customer's order with its pending shipment, then cancelled by the customer. */
  async function orderCancelledByItsCustomer(): Promise<{ order: Order; shipment: Shipment }> {
    const customer = await world.customer();
    const order = await placedOrder(customer);
    const [shipment] = await shipmentsOnceCreated(order.id);
    await world.api.order.cancelOrder(
      { orderId: order.id, reason: 'changed my mind' },
      { token: customer.token },
    );
    return { order, shipment: shipment! };
  }

  /** Once the shipping service has consumed the order's cancellation, its shipment is cancelled. */
  function shipmentCancelled(orderId: string): Promise<unknown> {
    return eventually(async () => {
      const [after] = await shipmentsOf(orderId);
      return after!.status === ShipmentStatus.SHIPMENT_STATUS_CANCELLED;
    });
  }

  const ship = (shipmentId: string) =>
    world.api.shipping.markShipmentShipped({ shipmentId, carrierId }, admin()).then((a) => a.shipment!);

  it('ships a confirmed order in two parcels and follows them to its delivery: processing, shipped, delivered, each with a history row', async () => {
    const customer = await world.customer();
    const order = await placedOrder(customer);
    const [shipment] = await shipmentsOnceCreated(order.id);
    expect(shipment!.status).to.equal(ShipmentStatus.SHIPMENT_STATUS_PENDING);
    const byVariant = new Map(order.lines.map((line) => [line.variantId, line]));
    expect(
      shipment!.lines.map((line) => [line.orderItemId, line.variantId, line.quantity]),
    ).to.have.deep.members([...byVariant.values()].map((line) => [line.id, line.variantId, line.quantity]));

    const twoUnits = shipment!.lines.find((line) => line.quantity === 2)!;
    const { source, created } = await world.api.shipping.splitShipment(
      {
        shipmentId: shipment!.id,
        lines: [{ orderItemId: twoUnits.orderItemId, quantity: 1 }],
        idempotencyKey: newId(),
      },
      admin(),
    );
    expect(source!.lines.map((line) => line.quantity).sort()).to.deep.equal([1, 1]);
    expect(created!.lines.map((line) => [line.orderItemId, line.quantity])).to.deep.equal([
      [twoUnits.orderItemId, 1],
    ]);

    const first = await ship(source!.id);
    expect(first.trackingNumber).to.match(/^SIM/);
    await orderReaches(order.id, PROCESSING, customer.token!);
    const second = await ship(created!.id);
    expect(second.trackingNumber).to.not.equal(first.trackingNumber);
    await orderReaches(order.id, SHIPPED, customer.token!);

    const { entriesRecorded } = await world.api.shipping.advanceSimulatedCarrier(
      { seconds: 25 * HOUR },
      admin(),
    );
    expect(entriesRecorded).to.be.at.least(8);
    const delivered = await orderReaches(order.id, DELIVERED, customer.token!);
    expect(
      delivered.history.map((change) => [
        change.previousStatus,
        change.status,
        change.changedBy,
        change.reason,
      ]),
    ).to.deep.equal([
      [UNSPECIFIED, PENDING, customer.userId, 'order placed'],
      [PENDING, CONFIRMED, 'system', 'checkout completed'],
      [CONFIRMED, PROCESSING, 'system', 'a first shipment left'],
      [PROCESSING, SHIPPED, 'system', 'every shipment left'],
      [SHIPPED, DELIVERED, 'system', 'every shipment was delivered'],
    ]);
    // Announced as for an admin's change: the status changes, and the delivery with its lines.
    const { statusChanges, deliveries } = await orderEventsOf(
      (await world.mesh.database('order')).orm,
      order.id,
    );
    expect(statusChanges.map((event) => [event.status, event.changedBy])).to.deep.equal([
      [PROCESSING, 'system'],
      [SHIPPED, 'system'],
      [DELIVERED, 'system'],
    ]);
    expect(deliveries).to.have.length(1);
    expect(deliveries[0]!.items.map((item) => item.quantity).sort()).to.deep.equal([1, 2]);

    // The customer reads the tracking of their order; nobody else can.
    const { shipments } = await world.api.shipping.getMyShipmentTracking(
      { orderId: order.id },
      { token: customer.token },
    );
    expect(shipments.map((s) => [s.id, s.status])).to.deep.equal([
      [source!.id, ShipmentStatus.SHIPMENT_STATUS_DELIVERED],
      [created!.id, ShipmentStatus.SHIPMENT_STATUS_DELIVERED],
    ]);
    expect(shipments[0]!.tracking.map((entry) => entry.status)).to.deep.equal([
      ShipmentStatus.SHIPMENT_STATUS_SHIPPED,
      ShipmentStatus.SHIPMENT_STATUS_IN_TRANSIT,
      ShipmentStatus.SHIPMENT_STATUS_IN_TRANSIT,
      ShipmentStatus.SHIPMENT_STATUS_OUT_FOR_DELIVERY,
      ShipmentStatus.SHIPMENT_STATUS_DELIVERED,
    ]);
    const stranger = await world.customer();
    const failure = await failureOf(
      world.api.shipping.getMyShipmentTracking({ orderId: order.id }, { token: stranger.token }),
    );
    expect([failure.code, failure.details]).to.deep.equal([status.NOT_FOUND, `order ${order.id} not found`]);
  });

  it('refuses a split of more units than the shipment holds, naming the line, and changes nothing', async () => {
    const order = await placedOrder(await world.customer());
    const [shipment] = await shipmentsOnceCreated(order.id);
    const line = shipment!.lines.find((l) => l.quantity === 2)!;
    const failure = await failureOf(
      world.api.shipping.splitShipment(
        {
          shipmentId: shipment!.id,
          lines: [{ orderItemId: line.orderItemId, quantity: 3 }],
          idempotencyKey: newId(),
        },
        admin(),
      ),
    );
    expect([failure.code, failure.errorInfo?.reason, failure.errorInfo?.metadata]).to.deep.equal([
      status.FAILED_PRECONDITION,
      ShippingReason.SPLIT_EXCEEDS_SHIPMENT,
      { order_item_id: line.orderItemId, available: '2', requested: '3' },
    ]);
    expect((await shipmentsOf(order.id)).map((s) => s.lines)).to.deep.equal([shipment!.lines]);
  });

  it('gives one tracking number to MarkShipmentShipped sent twice at once', async () => {
    const order = await placedOrder(await world.customer());
    const [shipment] = await shipmentsOnceCreated(order.id);
    const answers = await Promise.all([ship(shipment!.id), ship(shipment!.id)]);
    expect(answers[0]!.trackingNumber).to.not.equal('');
    expect(answers[1]!.trackingNumber).to.equal(answers[0]!.trackingNumber);
    const [stored] = await shipmentsOf(order.id);
    expect([stored!.trackingNumber, stored!.tracking.length]).to.deep.equal([answers[0]!.trackingNumber, 1]);
  });

  it('cancels the shipment of an order cancelled before it shipped; it can no longer ship', async () => {
    const { order, shipment } = await orderCancelledByItsCustomer();
    await shipmentCancelled(order.id);
    const failure = await failureOf(ship(shipment.id));
    expect([failure.code, failure.errorInfo?.reason, failure.errorInfo?.metadata]).to.deep.equal([
      status.FAILED_PRECONDITION,
      ShippingReason.SHIPMENT_NOT_PENDING,
      { shipment_id: shipment.id, status: 'cancelled' },
    ]);
  });

  it('never both ships and cancels an order: a parcel sent while staff cancel either leaves or is refused', async () => {
    const orders = await Promise.all(
      Array.from({ length: 6 }, async () => placedOrder(await world.customer())),
    );
    const outcomes = await Promise.all(
      orders.map(async (order) => {
        const [shipment] = await shipmentsOnceCreated(order.id);
        const [shipped, cancelled] = await Promise.allSettled([
          ship(shipment!.id),
          world.api.order.cancelOrder({ orderId: order.id, reason: 'staff cancel' }, admin()),
        ]);
        for (const result of [shipped, cancelled]) {
          if (result.status === 'rejected')
            expect((result.reason as { code?: number }).code).to.equal(status.FAILED_PRECONDITION);
        }
        return {
          order,
          shipped: shipped.status === 'fulfilled',
          cancelled: cancelled.status === 'fulfilled',
        };
      }),
    );
    // Each answer is checked as it stands when both calls have answered, without waiting for any
    // event: that the order then follows its parcel, or the shipment its cancellation, is the
    // business of the tests above.
    for (const { order, shipped, cancelled } of outcomes) {
      expect(shipped && cancelled, `order ${order.id} was shipped and cancelled`).to.equal(false);
      expect(shipped || cancelled, `order ${order.id}: neither shipped nor cancelled`).to.equal(true);
      const [shipment] = await shipmentsOf(order.id);
      const { order: read } = await world.api.order.getOrder({ orderId: order.id }, admin());
      if (shipped) {
        expect(shipment!.status).to.equal(ShipmentStatus.SHIPMENT_STATUS_SHIPPED);
        expect(read!.status).to.not.equal(CANCELLED);
        // The parcel left: the order can no longer be cancelled, even before the shipping
        // service's event has reached it.
        const refused = await failureOf(
          world.api.order.cancelOrder({ orderId: order.id, reason: 'too late' }, admin()),
        );
        expect(refused.code).to.equal(status.FAILED_PRECONDITION);
        expect(refused.message).to.contain('a parcel of it has left');
      } else {
        expect(read!.status).to.equal(CANCELLED);
        expect([shipment!.trackingNumber, shipment!.tracking]).to.deep.equal(['', []]);
      }
    }
  });

  it('decides under the order’s lock: an order that approved a parcel cannot be cancelled, a cancelled one approves none', async () => {
    const customer = await world.customer();
    const approved = await placedOrder(customer);
    const asShipping = { token: world.service };
    await world.api.order.approveShipment({ orderId: approved.id }, asShipping);
    await world.api.order.approveShipment({ orderId: approved.id }, asShipping);
    const tooLate = await failureOf(
      world.api.order.cancelOrder({ orderId: approved.id, reason: 'too late' }, admin()),
    );
    expect(tooLate.code).to.equal(status.FAILED_PRECONDITION);
    expect(tooLate.message).to.contain('a parcel of it has left');

    const { order: cancelled } = await world.api.order.cancelOrder(
      { orderId: (await placedOrder(customer)).id, reason: 'changed my mind' },
      { token: customer.token },
    );
    const noParcel = await failureOf(world.api.order.approveShipment({ orderId: cancelled!.id }, asShipping));
    expect([noParcel.code, noParcel.errorInfo?.reason, noParcel.errorInfo?.metadata?.from]).to.deep.equal([
      status.FAILED_PRECONDITION,
      'INVALID_STATUS_TRANSITION',
      'cancelled',
    ]);
    const notAService = await failureOf(
      world.api.order.approveShipment({ orderId: approved.id }, { token: customer.token }),
    );
    expect(notAService.code).to.equal(status.PERMISSION_DENIED);
    const unknown = await failureOf(world.api.order.approveShipment({ orderId: newId() }, asShipping));
    expect(unknown.code).to.equal(status.NOT_FOUND);
  });

  it('refuses a parcel of an order cancelled a moment before, whether or not shipping has heard of it yet', async () => {
    const { order, shipment } = await orderCancelledByItsCustomer();
    const refused = await failureOf(ship(shipment.id));
    expect(refused.code).to.equal(status.FAILED_PRECONDITION);
    const [after] = await shipmentsOf(order.id);
    expect([after!.trackingNumber, after!.tracking]).to.deep.equal(['', []]);
  });

  it('creates one shipment when the order’s confirmation is delivered again', async () => {
    const order = await placedOrder(await world.customer());
    const [shipment] = await shipmentsOnceCreated(order.id);
    const orderDb = (await world.mesh.database('order')).orm;
    const rows = await orderDb.em
      .fork()
      .execute<{ id: string; envelope: Buffer }[]>(
        `SELECT id, envelope FROM infra.outbox WHERE subject = ?`,
        [OrderConfirmedEvent.subject],
      );
    const row = rows.find(
      (r) => OrderConfirmed.decode(decodeEnvelope(r.envelope).payload).orderId === order.id,
    )!;
    // The relay publishes the same event (same id) once more.
    await orderDb.em.fork().execute(`UPDATE infra.outbox SET published_at = NULL WHERE id = ?`, [row.id]);
    await eventually(async () => {
      const [again] = await orderDb.em
        .fork()
        .execute<{ published_at: Date | null }[]>(`SELECT published_at FROM infra.outbox WHERE id = ?`, [
          row.id,
        ]);
      return again!.published_at !== null;
    });
    expect((await shipmentsOf(order.id)).map((s) => s.id)).to.deep.equal([shipment!.id]);
  });

  it('lets shipping staff read and change, customers read only their own tracking, and shipping:simulate move the clock', async () => {
    const reader = await accountToken(world.mesh, { roles: ['support'], permissions: ['shipping:read'] });
    const customer = await accountToken(world.mesh);
    const orderId = newId();
    expect(
      (await world.api.shipping.listOrderShipments({ orderId }, { token: reader.token })).shipments,
    ).to.deep.equal([]);
    for (const call of [
      world.api.shipping.markShipmentShipped({ shipmentId: newId(), carrierId }, { token: reader.token }),
      world.api.shipping.listOrderShipments({ orderId }, { token: customer.token }),
      world.api.shipping.advanceSimulatedCarrier({ seconds: 0 }, { token: reader.token }),
      world.api.shipping.getMyShipmentTracking({ orderId }, { token: world.service }),
    ]) {
      expect((await failureOf(call)).code).to.equal(status.PERMISSION_DENIED);
    }
    expect((await failureOf(world.api.shipping.getMyShipmentTracking({ orderId }, {}))).code).to.equal(
      status.UNAUTHENTICATED,
    );
    const simulator = await accountToken(world.mesh, {
      roles: ['support'],
      permissions: ['shipping:simulate'],
    });
    const { simulatedNow } = await world.api.shipping.advanceSimulatedCarrier(
      { seconds: 0 },
      { token: simulator.token },
    );
    expect(simulatedNow!.getTime()).to.be.at.least(Date.now() - 60_000);
  });
});
