import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  ItemCondition,
  RefundMethod,
  RefundStatus,
  RequestReturnRequest,
  ReturnReason,
  ReturnStatus,
} from '../../../gen/ecommerce/return/v1/return.js';
import { ReturnReceived } from '../../../gen/ecommerce/return/v1/events.js';
import { unavailable } from '../../../lib/errors.js';
import { ReturnReceivedEvent } from '../../../lib/events/catalog.js';
import { decodeEnvelope } from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { returnDatabase } from '../src/database.js';
import type { OrderDesk, OrderFacts, PaymentRefunds, Restocking } from '../src/domain/ports.js';
import { addReturnTracking } from '../src/domain/add-tracking.js';
import { receiveReturn } from '../src/domain/receive-return.js';
import { refundKeyOf, refundReturn } from '../src/domain/refund-return.js';
import { requestReturn } from '../src/domain/request-return.js';
import { returnStatuses } from '../src/domain/return-status.js';
import { approveReturn } from '../src/domain/staff-decisions.js';
import { Refund } from '../src/entities/index.js';
import type { ReturnStatus as Stored } from '../src/entities/return-request.js';

const DAY_MS = 86_400_000;
const STATUSES: Stored[] = [
  'pending',
  'approved',
  'rejected',
  'in_transit',
  'received',
  'processed',
  'closed',
];
/** The return lifecycle, written out here independently of the machine's table. */
const ALLOWED = new Set([
  'pending→approved',
  'pending→rejected',
  'pending→closed',
  'approved→in_transit',
  'approved→received',
  'approved→closed',
  'in_transit→received',
  'received→processed',
  'processed→closed',
  'rejected→closed',
]);

/**
 * The return service's rules on a scratch return_db, with the three services it asks replaced by
 * recording stand-ins (the cross-service flows run over real gRPC in test/returns.test.ts).
 */
describe('return domain: window, refunds and restocking on a scratch database', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  const orders = new Map<string, OrderFacts>();
  const orderDesk: OrderDesk = { getOrder: async (orderId) => orders.get(orderId) };
  let paymentCalls: { key: string; amount: number }[] = [];
  let paymentDown = false;
  const payments: PaymentRefunds = {
    async refund({ idempotencyKey, amount }) {
      if (paymentDown) throw unavailable('payment service unavailable');
      paymentCalls.push({ key: idempotencyKey, amount: amount.amountMinor });
      return { paymentRefundId: newId() };
    },
  };
  let restocks: { id: string; lines: { variantId: string; quantity: number }[] }[] = [];
  let productDown = false;
  const stock: Restocking = {
    async restock(id, lines) {
      if (productDown) throw unavailable('product service unavailable');
      restocks.push({ id, lines });
    },
  };
  const refundDeps = { orders: orderDesk, payments, refundShipping: 'when_fully_returned' as const };

  before(async () => {
    db = await openScratchDatabase('return_domain', returnDatabase);
  });
  after(() => db?.drop());
  beforeEach(() => {
    paymentCalls = [];
    restocks = [];
    paymentDown = false;
    productDown = false;
  });

  function deliveredOrder(userId: string, deliveredAt: Date, unitPrices = [1000, 0]): OrderFacts {
    const variant = newId();
    const order: OrderFacts = {
      id: newId(),
      userId,
      status: 'delivered',
      deliveredAt,
      currency: 'EUR',
      grandTotalMinor: 0,
      pricesIncludeTax: false,
      paymentId: newId(),
      lines: unitPrices.map((unitPriceMinor) => ({
        id: newId(),
        productId: newId(),
        variantId: variant,
        productName: 'Tee',
        sku: 'TEE-1',
        quantity: 2,
        unitPriceMinor,
        discountMinor: 0,
        taxMinor: Math.round(unitPriceMinor * 2 * 0.19),
      })),
    };
    order.grandTotalMinor =
      order.lines.reduce((sum, line) => sum + line.unitPriceMinor * 2 + line.taxMinor, 0) + 499;
    orders.set(order.id, order);
    return order;
  }

  const ask = (userId: string, order: OrderFacts, lines: number[], now = new Date(), windowDays = 30) =>
    requestReturn(
      db.orm.em.fork(),
      { orders: orderDesk, windowDays, now: () => now },
      userId,
      RequestReturnRequest.fromPartial({
        idempotencyKey: `key-${newId()}`,
        orderId: order.id,
        lines: lines.map((line) => ({
          orderItemId: order.lines[line]!.id,
          quantity: 2,
          reason: ReturnReason.RETURN_REASON_OTHER,
        })),
        refundMethod: RefundMethod.REFUND_METHOD_ORIGINAL_PAYMENT,
      }),
    );

  async function approved(userId: string, order: OrderFacts, lines: number[]) {
    const asked = await ask(userId, order, lines);
    await approveReturn(db.orm.em.fork(), { rmaValidityDays: 30 }, 'staff', {
      returnId: asked.id,
      returnAddress: {
        firstName: 'Returns',
        lastName: 'Desk',
        company: '',
        line1: 'Lagerstr. 1',
        line2: '',
        city: 'Berlin',
        state: '',
        postalCode: '10115',
        country: 'DE',
        phone: '',
      },
      instructions: '',
    });
    return asked;
  }

  it('allows exactly the lifecycle’s changes', () => {
    const allowed: string[] = [];
    for (const from of STATUSES) {
      for (const to of STATUSES) if (returnStatuses.allows(from, to)) allowed.push(`${from}→${to}`);
    }
    expect(allowed.sort()).to.deep.equal([...ALLOWED].sort());
  });

  it('counts the window from the delivery: its last instant is in, the next is out', async () => {
    const userId = newId();
    const deliveredAt = new Date('2026-11-01T10:00:00.000Z');
    const order = deliveredOrder(userId, deliveredAt);
    const last = new Date(deliveredAt.getTime() + 30 * DAY_MS);
    const late = await failureOf(ask(userId, order, [0], new Date(last.getTime() + 1)));
    expect(late.code).to.equal(status.FAILED_PRECONDITION);
    expect(late.reason).to.equal('RETURN_WINDOW_CLOSED');
    expect(late.metadata).to.deep.equal({ delivered_at: '2026-11-01T10:00:00.000Z', window_days: '30' });
    expect((await ask(userId, order, [0], last)).status).to.equal(ReturnStatus.RETURN_STATUS_PENDING);
  });

  it('takes the parcel’s tracking until the RMA expires; the same tracking again changes nothing', async () => {
    const userId = newId();
    const order = deliveredOrder(userId, new Date());
    const asked = await approved(userId, order, [0]);
    const tracking = { returnId: asked.id, carrier: 'DPD', trackingNumber: '0123456789' };
    const sent = await addReturnTracking(db.orm.em.fork(), userId, tracking);
    expect(sent.status).to.equal(ReturnStatus.RETURN_STATUS_IN_TRANSIT);
    expect([sent.authorization!.carrier, sent.authorization!.trackingNumber]).to.deep.equal([
      'DPD',
      '0123456789',
    ]);
    expect(await addReturnTracking(db.orm.em.fork(), userId, tracking)).to.deep.equal(sent);
    const other = await failureOf(addReturnTracking(db.orm.em.fork(), newId(), tracking));
    expect(other.code).to.equal(status.NOT_FOUND);

    const late = await approved(userId, deliveredOrder(userId, new Date()), [0]);
    await db.orm.em
      .fork()
      .execute(
        `UPDATE return_authorizations SET expires_at = '2026-01-01T00:00:00Z' WHERE return_request_id = ?`,
        [late.id],
      );
    const expired = await failureOf(
      addReturnTracking(db.orm.em.fork(), userId, { ...tracking, returnId: late.id }),
    );
    expect(expired.code).to.equal(status.FAILED_PRECONDITION);
    expect(expired.reason).to.equal('RMA_EXPIRED');
    expect(expired.metadata).to.deep.equal({ expires_at: '2026-01-01T00:00:00.000Z' });
  });

  it('restocks the sellable units once per return, before receiving; a product service down changes nothing', async () => {
    const userId = newId();
    const order = deliveredOrder(userId, new Date(), [1000, 500]);
    const asked = await approved(userId, order, [0, 1]);
    const items = [
      { returnItemId: asked.lines[0]!.id, condition: ItemCondition.ITEM_CONDITION_SELLABLE },
      { returnItemId: asked.lines[1]!.id, condition: ItemCondition.ITEM_CONDITION_SELLABLE },
    ];
    productDown = true;
    const down = await failureOf(
      receiveReturn(db.orm.em.fork(), stock, 'staff', { returnId: asked.id, items }),
    );
    expect(down.code).to.equal(status.UNAVAILABLE);
    productDown = false;
    const received = await receiveReturn(db.orm.em.fork(), stock, 'staff', { returnId: asked.id, items });
    expect(received.status).to.equal(ReturnStatus.RETURN_STATUS_RECEIVED);
    expect(received.history.map((change) => change.status)).to.deep.equal([
      ReturnStatus.RETURN_STATUS_PENDING,
      ReturnStatus.RETURN_STATUS_APPROVED,
      ReturnStatus.RETURN_STATUS_RECEIVED,
    ]);
    // Both lines are one variant here: one restock line of 4 units (a variant appears once).
    expect(restocks).to.deep.equal([
      { id: asked.id, lines: [{ variantId: order.lines[0]!.variantId, quantity: 4 }] },
    ]);
    const again = await receiveReturn(db.orm.em.fork(), stock, 'staff', { returnId: asked.id, items });
    expect(again).to.deep.equal(received);
    expect(restocks).to.have.length(1);
    const changed = await failureOf(
      receiveReturn(db.orm.em.fork(), stock, 'staff', {
        returnId: asked.id,
        items: [items[0]!, { ...items[1]!, condition: ItemCondition.ITEM_CONDITION_DAMAGED }],
      }),
    );
    expect(changed.code).to.equal(status.FAILED_PRECONDITION);
    expect(changed.reason).to.equal('INVALID_STATUS_TRANSITION');
    expect(restocks).to.have.length(1);

    const [row] = await db.orm.em
      .fork()
      .execute<{ envelope: Buffer }[]>(
        'SELECT envelope FROM infra.outbox WHERE subject = ? ORDER BY id DESC LIMIT 1',
        [ReturnReceivedEvent.subject],
      );
    const event = ReturnReceived.decode(decodeEnvelope(row!.envelope).payload);
    expect(event.returnId).to.equal(asked.id);
    expect(event.items.map((item) => item.restocked)).to.deep.equal([true, true]);
  });

  it('keeps a refund the payment service could not make, and makes it once on the next call, with the same key', async () => {
    const userId = newId();
    const order = deliveredOrder(userId, new Date(), [1000, 500]);
    const asked = await approved(userId, order, [0]);
    await receiveReturn(db.orm.em.fork(), stock, 'staff', {
      returnId: asked.id,
      items: [{ returnItemId: asked.lines[0]!.id, condition: ItemCondition.ITEM_CONDITION_DAMAGED }],
    });
    expect(restocks, 'damaged goods are not restocked').to.deep.equal([]);

    paymentDown = true;
    const down = await failureOf(refundReturn(db.orm.em.fork(), refundDeps, 'staff', asked.id));
    expect(down.code).to.equal(status.UNAVAILABLE);
    const pending = await db.orm.em.fork().findOneOrFail(Refund, { returnRequest: asked.id });
    expect([pending.status, pending.amount, pending.idempotencyKey]).to.deep.equal([
      'processing',
      2380,
      refundKeyOf(asked.id),
    ]);

    paymentDown = false;
    const refunded = await refundReturn(db.orm.em.fork(), refundDeps, 'staff', asked.id);
    expect(refunded.status).to.equal(ReturnStatus.RETURN_STATUS_PROCESSED);
    expect(refunded.refund!.status).to.equal(RefundStatus.REFUND_STATUS_COMPLETED);
    expect(refunded.lines[0]!.refundAmount!.amountMinor, 'price and its 19 % tax').to.equal(2380);
    expect(paymentCalls).to.deep.equal([{ key: refundKeyOf(asked.id), amount: 2380 }]);
    expect(await refundReturn(db.orm.em.fork(), refundDeps, 'staff', asked.id)).to.deep.equal(refunded);
    expect(paymentCalls).to.have.length(1);
  });

  it('a return of units that cost nothing is processed without asking the payment service', async () => {
    const userId = newId();
    const order = deliveredOrder(userId, new Date(), [1000, 0]);
    const asked = await approved(userId, order, [1]);
    await receiveReturn(db.orm.em.fork(), stock, 'staff', {
      returnId: asked.id,
      items: [{ returnItemId: asked.lines[0]!.id, condition: ItemCondition.ITEM_CONDITION_SELLABLE }],
    });
    const processed = await refundReturn(db.orm.em.fork(), refundDeps, 'staff', asked.id);
    expect(processed.status).to.equal(ReturnStatus.RETURN_STATUS_PROCESSED);
    expect(processed.refundAmount!.amountMinor).to.equal(0);
    expect(processed.refund).to.equal(undefined);
    expect(paymentCalls).to.deep.equal([]);
  });
});
