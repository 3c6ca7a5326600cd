import { expect } from 'chai';
import { PaymentRefunded } from '../../../gen/ecommerce/payment/v1/events.js';
import { OrderStatusChanged } from '../../../gen/ecommerce/order/v1/events.js';
import { OrderStatus as WireStatus } from '../../../gen/ecommerce/order/v1/order.js';
import { OrderStatusChangedEvent } from '../../../lib/events/catalog.js';
import { decodeEnvelope } from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { quietLogger } from '../../../lib/testing/quiet-logger.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { insertOrder } from '../../../test/support/order-fixtures.js';
import { orderDatabase } from '../src/database.js';
import { recordRefund } from '../src/domain/record-refund.js';
import { Order, OrderStatusHistory } from '../src/entities/index.js';

describe('order: the status follows the payment’s refunds (payment.payment.refunded)', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openScratchDatabase('order_refunds', orderDatabase);
  });
  after(() => db?.drop());

  const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
  function refunded(orderId: string, amount: number, total: number, captured = 10_000): PaymentRefunded {
    return PaymentRefunded.fromPartial({
      refundId: newId(),
      paymentId: newId(),
      orderId,
      returnId: newId(),
      amount: eur(amount),
      refundedAt: new Date(),
      amountCaptured: eur(captured),
      amountRefundedTotal: eur(total),
    });
  }
  const record = (event: PaymentRefunded) =>
    db.orm.em.fork().transactional((tx) => recordRefund(tx, event, quietLogger()));

  async function stateOf(orderId: string) {
    const em = db.orm.em.fork();
    const order = await em.findOneOrFail(Order, { id: orderId });
    const history = await em.find(
      OrderStatusHistory,
      { order: orderId },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    const rows = await em.execute<{ envelope: Buffer }[]>(
      'SELECT envelope FROM infra.outbox WHERE subject = ? ORDER BY id',
      [OrderStatusChangedEvent.subject],
    );
    const changes = rows
      .map((row) => OrderStatusChanged.decode(decodeEnvelope(row.envelope).payload))
      .filter((event) => event.orderId === orderId);
    return {
      status: order.status,
      paymentStatus: order.paymentStatus,
      history: history.map((row) => `${row.previousStatus}→${row.status}`),
      changes: changes.map((event) => [event.previousStatus, event.status]),
    };
  }

  it('partially refunded while less than the capture is refunded, each refund a history row; refunded at the whole', async () => {
    const { id } = await insertOrder(db.orm, { userId: newId(), status: 'delivered' });
    await record(refunded(id, 2_000, 2_000));
    await record(refunded(id, 3_000, 5_000));
    let state = await stateOf(id);
    expect(state.status).to.equal('partially_refunded');
    expect(state.paymentStatus).to.equal('partially_refunded');
    expect(state.history.slice(-2)).to.deep.equal([
      'delivered→partially_refunded',
      'partially_refunded→partially_refunded',
    ]);
    expect(state.changes).to.deep.equal([
      [WireStatus.ORDER_STATUS_DELIVERED, WireStatus.ORDER_STATUS_PARTIALLY_REFUNDED],
    ]);

    await record(refunded(id, 5_000, 10_000));
    state = await stateOf(id);
    expect(state.status).to.equal('refunded');
    expect(state.history.at(-1)).to.equal('partially_refunded→refunded');
    expect(state.changes.at(-1)).to.deep.equal([
      WireStatus.ORDER_STATUS_PARTIALLY_REFUNDED,
      WireStatus.ORDER_STATUS_REFUNDED,
    ]);

    // A late event of an earlier partial refund never moves it back.
    await record(refunded(id, 2_000, 2_000));
    expect(await stateOf(id)).to.deep.equal(state);
  });

  it('a refund of everything at once makes a delivered order refunded', async () => {
    const { id } = await insertOrder(db.orm, { userId: newId(), status: 'delivered' });
    await record(refunded(id, 10_000, 10_000));
    expect((await stateOf(id)).history.at(-1)).to.equal('delivered→refunded');
  });

  it('leaves a cancelled order, one being cancelled (CancelOrder refunds it before it commits), one in fulfilment and an unknown one alone, without failing', async () => {
    for (const status of ['cancelled', 'confirmed', 'processing', 'shipped'] as const) {
      const { id } = await insertOrder(db.orm, { userId: newId(), status });
      const before = await stateOf(id);
      await record(refunded(id, 10_000, 10_000));
      expect(await stateOf(id), status).to.deep.equal(before);
    }
    await record(refunded(newId(), 10, 10));
  });
});
