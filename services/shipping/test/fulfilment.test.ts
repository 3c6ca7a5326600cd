import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { ShipmentStatus } from '../../../gen/ecommerce/shipping/v1/shipping.js';
import { CommonReason, ShippingReason } from '../../../lib/error-reasons.js';
import { failedPrecondition, unavailable } from '../../../lib/errors.js';
import { newId } from '../../../lib/ids.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { carrierAdapters } from '../src/domain/carriers/carrier-adapters.js';
import { simulatedCarrier, UNDELIVERABLE_POSTAL_CODE } from '../src/domain/carriers/simulated-carrier.js';
import { databaseClock } from '../src/domain/carriers/simulated-clock.js';
import { advanceSimulatedCarrier } from '../src/domain/fulfilment/advance-simulated-carrier.js';
import { cancelOrderShipments } from '../src/domain/fulfilment/cancel-order-shipments.js';
import { markShipmentShipped } from '../src/domain/fulfilment/mark-shipment-shipped.js';
import {
  getMyShipmentTracking,
  getShipment,
  listOrderShipments,
} from '../src/domain/fulfilment/read-shipments.js';
import { splitShipment } from '../src/domain/fulfilment/split-shipment.js';
import { Shipment, ShipmentItem, ShipmentTracking } from '../src/entities/index.js';
import { confirmedOrder, consume, consumeAtOnce, shippingEventsOf } from './fulfilment-support.js';
import { openShippingDatabase, shippingAdmin } from './support.js';

const { SHIPMENT_STATUS_PENDING: PENDING, SHIPMENT_STATUS_SHIPPED: SHIPPED } = ShipmentStatus;
const HOUR = 3600;

/** Shipments from confirmed orders, split, shipped through the simulated carrier, tracked. */
describe('shipping fulfilment', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let carrierId: string;
  const em = () => db.orm.em.fork();
  const clock = () => databaseClock(em);
  const adapters = () => carrierAdapters(simulatedCarrier(clock()));
  const advance = (seconds: number) => advanceSimulatedCarrier(em, adapters(), clock(), { seconds });
  // The order service's consent, as this unit test sees it: every order agrees unless refused here.
  const approvalsAsked: string[] = [];
  const refusedOrders = new Set<string>();
  const unreachableOrders = new Set<string>();
  const approval = {
    async approve(orderId: string) {
      approvalsAsked.push(orderId);
      if (unreachableOrders.has(orderId)) throw unavailable('order service unavailable');
      if (refusedOrders.has(orderId)) {
        throw failedPrecondition(`order ${orderId} is cancelled`, CommonReason.INVALID_STATUS_TRANSITION);
      }
    },
  };
  const ship = (shipmentId: string, carrier = carrierId) =>
    markShipmentShipped(em, adapters(), approval, { shipmentId, carrierId: carrier });
  const split = (shipmentId: string, lines: { orderItemId: string; quantity: number }[], key = newId()) =>
    splitShipment(em(), { shipmentId, lines, idempotencyKey: key });

  before(async () => {
    db = await openShippingDatabase('shipping_fulfilment');
    carrierId = (await shippingAdmin(em).carrier({ name: 'DHL' })).id;
  });
  after(async () => {
    await db?.drop();
  });

  /** A confirmed order and its pending shipment. */
  async function orderWithShipment(quantities: number[], patch = {}) {
    const event = confirmedOrder(quantities, patch);
    await consume(em(), event);
    const [shipment] = await listOrderShipments(em(), event.orderId);
    return { event, shipment: shipment! };
  }

  describe('a confirmed order', () => {
    it('gets one pending shipment holding its lines, its address and its customer, announced', async () => {
      const { event, shipment } = await orderWithShipment([2, 1]);
      expect(shipment).to.include({
        orderId: event.orderId,
        status: PENDING,
        carrierId: '',
        trackingNumber: '',
      });
      expect(shipment.lines.map((line) => [line.orderItemId, line.variantId, line.quantity])).to.deep.equal(
        event.items.map((item) => [item.orderItemId, item.variantId, item.quantity]),
      );
      expect(shipment.destination).to.include({ city: 'Berlin', postalCode: '10117', country: 'DE' });
      const stored = await em().findOneOrFail(Shipment, shipment.id);
      expect(stored.userId).to.equal(event.userId);
      const { created } = await shippingEventsOf(db.orm, event.orderId);
      expect(created).to.have.length(1);
      expect(created[0]).to.include({
        shipmentId: shipment.id,
        userId: event.userId,
        splitFromShipmentId: '',
        shippingMethod: 'Standard',
      });
      expect(created[0]!.cost).to.deep.equal({ currencyCode: 'EUR', amountMinor: 499 });
      expect(stored).to.include({ cost: 499, currency: 'EUR' });
      expect(created[0]!.createdAt).to.deep.equal(stored.createdAt);
      expect(created[0]!.lines.map((line) => [line.orderItemId, line.sku, line.quantity])).to.deep.equal(
        event.items.map((item) => [item.orderItemId, item.sku, item.quantity]),
      );
    });

    it('gets one shipment however often its confirmation is delivered, twice in a row or twice at once', async () => {
      const event = confirmedOrder([1]);
      await consume(em(), event);
      await consume(em(), event);
      const racing = confirmedOrder([3]);
      const outcomes = await Promise.allSettled([consume(em(), racing), consume(em(), racing)]);
      // A racing second insert may lose on the unique first shipment of the order; its
      // redelivery (the consumer retries a failed handler) then finds the shipment and adds nothing.
      if (outcomes.some((outcome) => outcome.status === 'rejected')) await consume(em(), racing);
      for (const orderId of [event.orderId, racing.orderId]) {
        expect(await listOrderShipments(em(), orderId)).to.have.length(1);
        expect((await shippingEventsOf(db.orm, orderId)).created).to.have.length(1);
      }
      expect(await em().count(ShipmentItem, { shipment: { orderId: racing.orderId } })).to.equal(1);
    });

    it('gets its shipment and the event claimed in one statement; a repeat, under its id or another, adds nothing', async () => {
      const event = confirmedOrder([2]);
      const eventId = newId();
      const claimed = async (id: string) =>
        (await em().execute('SELECT 1 FROM infra.inbox WHERE event_id = ?', [id])).length;
      expect(await consumeAtOnce(em(), event, eventId)).to.equal(true);
      expect(await claimed(eventId)).to.equal(1);
      expect(await consumeAtOnce(em(), event, eventId), 'the same event again').to.equal(false);
      const another = newId();
      expect(await consumeAtOnce(em(), event, another), 'the confirmation under another id').to.equal(true);
      expect(await claimed(another)).to.equal(1);
      const racing = confirmedOrder([1]);
      const racingId = newId();
      const outcomes = await Promise.all([1, 2, 3].map(() => consumeAtOnce(em(), racing, racingId)));
      expect(outcomes.filter(Boolean)).to.have.length(1);
      for (const orderId of [event.orderId, racing.orderId]) {
        expect(await listOrderShipments(em(), orderId)).to.have.length(1);
        expect((await shippingEventsOf(db.orm, orderId)).created).to.have.length(1);
      }
      const broken = confirmedOrder([], { orderId: newId() });
      const failure = await consumeAtOnce(em(), broken, newId()).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure?.name).to.equal('PermanentEventError');
      expect(await listOrderShipments(em(), broken.orderId)).to.deep.equal([]);
    });

    it('parks a confirmation no retry can make usable (no lines, a malformed or repeated line) and creates nothing', async () => {
      const good = confirmedOrder([1, 1]);
      const broken = [
        confirmedOrder([], { orderId: good.orderId }),
        { ...good, items: [{ ...good.items[0]!, variantId: 'v-1' }] },
        { ...good, items: [good.items[0]!, good.items[0]!] },
        { ...good, items: [{ ...good.items[0]!, quantity: 0 }] },
      ];
      for (const event of broken) {
        const failure = await consume(em(), event).then(
          () => undefined,
          (error: unknown) => error as Error,
        );
        expect(failure?.name).to.equal('PermanentEventError');
      }
      expect(await listOrderShipments(em(), good.orderId)).to.deep.equal([]);
    });

    it('is read by its customer only: another customer, a guest order and an unknown order are NOT_FOUND', async () => {
      const { event, shipment } = await orderWithShipment([1]);
      const mine = await getMyShipmentTracking(em(), event.userId, event.orderId);
      expect(mine.map((s) => s.id)).to.deep.equal([shipment.id]);
      const guest = await orderWithShipment([1], { userId: '' });
      for (const [userId, orderId] of [
        [newId(), event.orderId],
        [event.userId, guest.event.orderId],
        [event.userId, newId()],
      ] as const) {
        const failure = await failureOf(getMyShipmentTracking(em(), userId, orderId));
        expect([failure.code, failure.message]).to.deep.equal([
          status.NOT_FOUND,
          `order ${orderId} not found`,
        ]);
      }
      expect((await failureOf(getShipment(em(), newId()))).code).to.equal(status.NOT_FOUND);
      expect((await failureOf(getShipment(em(), 'nope'))).violations).to.deep.equal([
        { field: 'shipment_id', description: 'must be a UUID' },
      ]);
    });
  });

  describe('SplitShipment', () => {
    it('moves units of lines to a new pending shipment; the lines add up to what was ordered', async () => {
      const { event, shipment } = await orderWithShipment([3, 1]);
      const [a, b] = event.items;
      const { source, created } = await split(shipment.id, [
        { orderItemId: a!.orderItemId, quantity: 2 },
        { orderItemId: b!.orderItemId, quantity: 1 },
      ]);
      expect(source!.lines.map((l) => [l.orderItemId, l.quantity])).to.deep.equal([[a!.orderItemId, 1]]);
      expect(created!.lines.map((l) => [l.orderItemId, l.quantity])).to.deep.equal([
        [a!.orderItemId, 2],
        [b!.orderItemId, 1],
      ]);
      expect(created).to.include({
        status: PENDING,
        splitFromShipmentId: shipment.id,
        orderId: event.orderId,
      });
      const { created: announced } = await shippingEventsOf(db.orm, event.orderId);
      expect(announced.map((e) => [e.shipmentId, e.splitFromShipmentId])).to.deep.equal([
        [shipment.id, ''],
        [created!.id, shipment.id],
      ]);
    });

    it('refuses more units than the shipment holds of a line, naming it, and changes nothing', async () => {
      const { event, shipment } = await orderWithShipment([2, 1]);
      const [a, b] = event.items;
      const failure = await failureOf(
        split(shipment.id, [
          { orderItemId: b!.orderItemId, quantity: 1 },
          { orderItemId: a!.orderItemId, quantity: 3 },
        ]),
      );
      expect([failure.code, failure.reason, failure.metadata]).to.deep.equal([
        status.FAILED_PRECONDITION,
        ShippingReason.SPLIT_EXCEEDS_SHIPMENT,
        { order_item_id: a!.orderItemId, available: '2', requested: '3' },
      ]);
      expect(failure.message).to.include(a!.orderItemId);
      const after = await listOrderShipments(em(), event.orderId);
      expect(after.map((s) => s.lines.map((l) => l.quantity))).to.deep.equal([[2, 1]]);
      expect((await shippingEventsOf(db.orm, event.orderId)).created).to.have.length(1);
    });

    it('refuses moving every unit, a line the shipment does not hold, and malformed lines, naming each', async () => {
      const { event, shipment } = await orderWithShipment([2]);
      const line = event.items[0]!.orderItemId;
      const all = await failureOf(split(shipment.id, [{ orderItemId: line, quantity: 2 }]));
      expect([all.reason, all.metadata]).to.deep.equal([
        ShippingReason.SPLIT_EXCEEDS_SHIPMENT,
        { order_item_id: '', available: '2', requested: '2' },
      ]);
      const stranger = newId();
      const unknown = await failureOf(split(shipment.id, [{ orderItemId: stranger, quantity: 1 }]));
      expect([unknown.code, unknown.reason, unknown.metadata]).to.deep.equal([
        status.FAILED_PRECONDITION,
        ShippingReason.SHIPMENT_LINE_NOT_FOUND,
        { order_item_id: stranger },
      ]);
      const malformed = await failureOf(
        splitShipment(em(), {
          shipmentId: shipment.id,
          idempotencyKey: '',
          lines: [
            { orderItemId: line, quantity: 0 },
            { orderItemId: line, quantity: 1 },
            { orderItemId: 'x', quantity: 1 },
          ],
        }),
      );
      expect(malformed.code).to.equal(status.INVALID_ARGUMENT);
      expect(malformed.violations!.map((v) => v.field)).to.deep.equal([
        'idempotency_key',
        'lines[0].quantity',
        'lines[1].order_item_id',
        'lines[2].order_item_id',
      ]);
      const empty = await failureOf(
        splitShipment(em(), { shipmentId: shipment.id, idempotencyKey: 'k', lines: [] }),
      );
      expect(empty.violations).to.deep.equal([
        { field: 'lines', description: 'is required: at least one line to move' },
      ]);
      const missing = await failureOf(split(newId(), [{ orderItemId: line, quantity: 1 }]));
      expect(missing.code).to.equal(status.NOT_FOUND);
      expect((await listOrderShipments(em(), event.orderId)).map((s) => s.lines[0]!.quantity)).to.deep.equal([
        2,
      ]);
    });

    it('splits once per key: the same request again answers the same shipments; the key with another request is refused', async () => {
      const { event, shipment } = await orderWithShipment([4]);
      const line = event.items[0]!.orderItemId;
      const key = newId();
      const [first, again] = await Promise.all([
        split(shipment.id, [{ orderItemId: line, quantity: 1 }], key),
        split(shipment.id, [{ orderItemId: line, quantity: 1 }], key),
      ]);
      expect(again.created!.id).to.equal(first.created!.id);
      const reused = await failureOf(split(shipment.id, [{ orderItemId: line, quantity: 2 }], key));
      expect([reused.code, reused.reason]).to.deep.equal([
        status.FAILED_PRECONDITION,
        'IDEMPOTENCY_KEY_REUSED',
      ]);
      const shipments = await listOrderShipments(em(), event.orderId);
      expect(shipments.map((s) => s.lines[0]!.quantity)).to.deep.equal([3, 1]);
    });

    it('refuses a shipment that has shipped', async () => {
      const { event, shipment } = await orderWithShipment([2]);
      await ship(shipment.id);
      const failure = await failureOf(
        split(shipment.id, [{ orderItemId: event.items[0]!.orderItemId, quantity: 1 }]),
      );
      expect([failure.code, failure.reason, failure.metadata]).to.deep.equal([
        status.FAILED_PRECONDITION,
        ShippingReason.SHIPMENT_NOT_PENDING,
        { shipment_id: shipment.id, status: 'shipped' },
      ]);
    });
  });

  describe('MarkShipmentShipped', () => {
    it('books the parcel with the carrier: tracking number, first tracking entry, shipping.shipment.shipped with the order’s progress', async () => {
      const { event, shipment } = await orderWithShipment([2]);
      const { created: second } = await split(shipment.id, [
        { orderItemId: event.items[0]!.orderItemId, quantity: 1 },
      ]);
      const shipped = await ship(shipment.id);
      expect(shipped).to.include({ status: SHIPPED, carrierId });
      expect(shipped.trackingNumber).to.match(/^SIM[0-9A-F]{32}$/);
      expect(shipped.tracking.map((t) => [t.status, t.description])).to.deep.equal([
        [SHIPPED, 'Handed to DHL'],
      ]);
      const other = await ship(second!.id);
      expect(other.trackingNumber).to.not.equal(shipped.trackingNumber);
      const { shipped: events } = await shippingEventsOf(db.orm, event.orderId);
      expect(
        events.map((e) => [e.shipmentId, e.trackingNumber, e.orderFullyShipped, e.userId]),
      ).to.deep.equal([
        [shipment.id, shipped.trackingNumber, false, event.userId],
        [second!.id, other.trackingNumber, true, event.userId],
      ]);
    });

    it('twice at once gives one tracking number and one event; a repeat answers the shipment as it is', async () => {
      const { event, shipment } = await orderWithShipment([1]);
      const answers = await Promise.all([ship(shipment.id), ship(shipment.id), ship(shipment.id)]);
      expect(new Set(answers.map((a) => a.trackingNumber)).size).to.equal(1);
      expect((await ship(shipment.id)).trackingNumber).to.equal(answers[0]!.trackingNumber);
      expect((await shippingEventsOf(db.orm, event.orderId)).shipped).to.have.length(1);
      expect(await em().count(ShipmentTracking, { shipment: shipment.id })).to.equal(1);
    });

    it('asks the order first, and books nothing when the order refuses (it was cancelled)', async () => {
      const { event, shipment } = await orderWithShipment([1]);
      refusedOrders.add(event.orderId);
      const refused = await failureOf(ship(shipment.id));
      expect([refused.code, refused.reason]).to.deep.equal([
        status.FAILED_PRECONDITION,
        CommonReason.INVALID_STATUS_TRANSITION,
      ]);
      expect(approvalsAsked).to.include(event.orderId);
      const stored = await getShipment(em(), shipment.id);
      expect([stored.status, stored.trackingNumber, stored.tracking]).to.deep.equal([PENDING, '', []]);
      expect((await shippingEventsOf(db.orm, event.orderId)).shipped).to.have.length(0);
    });

    it('ships nothing while the order service cannot be asked: UNAVAILABLE, and the same call succeeds once it answers', async () => {
      const { event, shipment } = await orderWithShipment([1]);
      unreachableOrders.add(event.orderId);
      const down = await failureOf(ship(shipment.id));
      expect(down.code).to.equal(status.UNAVAILABLE);
      const stored = await getShipment(em(), shipment.id);
      expect([stored.status, stored.trackingNumber]).to.deep.equal([PENDING, '']);
      expect((await shippingEventsOf(db.orm, event.orderId)).shipped).to.have.length(0);
      unreachableOrders.delete(event.orderId);
      expect((await ship(shipment.id)).status).to.equal(SHIPPED);
    });

    it('refuses another carrier once shipped, an inactive or unknown carrier, and a cancelled shipment', async () => {
      const admin = shippingAdmin(em);
      const { shipment } = await orderWithShipment([1]);
      const inactive = await admin.carrier({ active: false });
      const off = await failureOf(ship(shipment.id, inactive.id));
      expect([off.code, off.reason, off.metadata]).to.deep.equal([
        status.FAILED_PRECONDITION,
        ShippingReason.CARRIER_INACTIVE,
        { carrier_id: inactive.id },
      ]);
      expect((await failureOf(ship(shipment.id, newId()))).code).to.equal(status.NOT_FOUND);
      expect((await getShipment(em(), shipment.id)).status).to.equal(PENDING);
      await ship(shipment.id);
      const another = await failureOf(ship(shipment.id, (await admin.carrier()).id));
      expect([another.reason, another.metadata]).to.deep.equal([
        ShippingReason.SHIPMENT_NOT_PENDING,
        { shipment_id: shipment.id, status: 'shipped' },
      ]);
      const cancelled = await orderWithShipment([1]);
      await em().transactional((tx) =>
        cancelOrderShipments(tx, { ...cancelled.event, reason: '', cancelledAt: new Date() }),
      );
      const refused = await failureOf(ship(cancelled.shipment.id));
      expect(refused.metadata).to.deep.equal({ shipment_id: cancelled.shipment.id, status: 'cancelled' });
    });
  });

  describe('order.order.cancelled', () => {
    it('cancels the shipments not yet shipped and leaves the shipped ones to the carrier', async () => {
      const { event, shipment } = await orderWithShipment([2]);
      const { created } = await split(shipment.id, [
        { orderItemId: event.items[0]!.orderItemId, quantity: 1 },
      ]);
      await ship(created!.id);
      const cancel = {
        orderId: event.orderId,
        userId: event.userId,
        reason: 'changed my mind',
        cancelledAt: new Date(),
        orderNumber: '',
        guestEmail: '',
      };
      await em().transactional((tx) => cancelOrderShipments(tx, cancel));
      await em().transactional((tx) => cancelOrderShipments(tx, cancel));
      const shipments = await listOrderShipments(em(), event.orderId);
      expect(shipments.map((s) => s.status)).to.deep.equal([
        ShipmentStatus.SHIPMENT_STATUS_CANCELLED,
        SHIPPED,
      ]);
    });
  });

  describe('the simulated carrier', () => {
    it('reports each parcel’s journey as its clock advances, recorded once, announced with the order’s progress', async () => {
      const { event, shipment } = await orderWithShipment([2]);
      const { created } = await split(shipment.id, [
        { orderItemId: event.items[0]!.orderItemId, quantity: 1 },
      ]);
      await ship(shipment.id);
      await advance(3 * HOUR);
      let first = await getShipment(em(), shipment.id);
      expect(first.status).to.equal(ShipmentStatus.SHIPMENT_STATUS_IN_TRANSIT);
      await ship(created!.id);
      await advance(22 * HOUR);
      first = await getShipment(em(), shipment.id);
      expect(first.status).to.equal(ShipmentStatus.SHIPMENT_STATUS_DELIVERED);
      expect(first.tracking.map((t) => t.description)).to.deep.equal([
        'Handed to DHL',
        'Picked up by the carrier',
        'Arrived at the destination hub',
        'Out for delivery',
        'Delivered',
      ]);
      expect(first.deliveredAt).to.deep.equal(first.tracking.at(-1)!.occurredAt);
      await advance(3 * HOUR);
      // Asked again at once, the carrier repeats its news: nothing is recorded twice.
      expect((await advance(0)).entriesRecorded).to.equal(0);
      const second = await getShipment(em(), created!.id);
      expect(second.status).to.equal(ShipmentStatus.SHIPMENT_STATUS_DELIVERED);
      expect(second.tracking).to.have.length(5);
      const { updated, delivered } = await shippingEventsOf(db.orm, event.orderId);
      expect(delivered.map((e) => [e.shipmentId, e.orderFullyShipped, e.orderFullyDelivered])).to.deep.equal([
        [shipment.id, true, false],
        [created!.id, true, true],
      ]);
      expect(updated.filter((e) => e.shipmentId === shipment.id).map((e) => e.status)).to.deep.equal([
        ShipmentStatus.SHIPMENT_STATUS_IN_TRANSIT,
        ShipmentStatus.SHIPMENT_STATUS_IN_TRANSIT,
        ShipmentStatus.SHIPMENT_STATUS_OUT_FOR_DELIVERY,
      ]);
      expect(updated[0]!.orderFullyShipped).to.equal(false);
    });

    it('meets an exception at an address it cannot find, then delivers at the second attempt', async () => {
      const { event, shipment } = await orderWithShipment([1], {
        shippingAddress: {
          line1: 'Nowhere 1',
          city: 'Berlin',
          postalCode: UNDELIVERABLE_POSTAL_CODE,
          country: 'DE',
        },
      });
      await ship(shipment.id);
      await advance(21 * HOUR);
      expect((await getShipment(em(), shipment.id)).status).to.equal(
        ShipmentStatus.SHIPMENT_STATUS_EXCEPTION,
      );
      await advance(28 * HOUR);
      const done = await getShipment(em(), shipment.id);
      expect(done.tracking.map((t) => t.status)).to.deep.equal([
        SHIPPED,
        ShipmentStatus.SHIPMENT_STATUS_IN_TRANSIT,
        ShipmentStatus.SHIPMENT_STATUS_IN_TRANSIT,
        ShipmentStatus.SHIPMENT_STATUS_EXCEPTION,
        ShipmentStatus.SHIPMENT_STATUS_OUT_FOR_DELIVERY,
        ShipmentStatus.SHIPMENT_STATUS_DELIVERED,
      ]);
      const { updated } = await shippingEventsOf(db.orm, event.orderId);
      expect(updated.map((e) => e.status)).to.include(ShipmentStatus.SHIPMENT_STATUS_EXCEPTION);
    });

    it('refuses to move its clock backwards or beyond a year', async () => {
      for (const seconds of [-1, 365 * 24 * HOUR + 1, 1.5]) {
        const failure = await failureOf(advance(seconds));
        expect(failure.violations).to.deep.equal([
          { field: 'seconds', description: 'must be a whole number from 0 to 31536000' },
        ]);
      }
    });
  });
});
