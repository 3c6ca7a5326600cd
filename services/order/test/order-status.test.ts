import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { newId } from '../../../lib/ids.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { insertOrder } from '../../../test/support/order-fixtures.js';
import { orderDatabase } from '../src/database.js';
import { Order, OrderStatusHistory } from '../src/entities/index.js';
import type { OrderStatus } from '../src/entities/order.js';
import { orderStatuses } from '../src/domain/order-status.js';

const STATUSES: OrderStatus[] = [
  'pending',
  'confirmed',
  'processing',
  'shipped',
  'delivered',
  'cancelled',
  'partially_refunded',
  'refunded',
];

/** The order lifecycle, written out here independently of the machine's table. */
const ALLOWED = new Set([
  'pending→confirmed',
  'pending→cancelled',
  'confirmed→processing',
  'confirmed→cancelled',
  'confirmed→partially_refunded',
  'confirmed→refunded',
  'processing→shipped',
  'processing→cancelled',
  'shipped→delivered',
  'delivered→partially_refunded',
  'delivered→refunded',
  'partially_refunded→partially_refunded',
  'partially_refunded→refunded',
]);

describe('the order status machine', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openScratchDatabase('order_status', orderDatabase);
  });
  after(async () => {
    await db?.drop();
  });

  it('allows exactly the lifecycle’s changes, and refuses every other pair', () => {
    const allowed: string[] = [];
    for (const from of STATUSES) {
      for (const to of STATUSES) if (orderStatuses.allows(from, to)) allowed.push(`${from}→${to}`);
    }
    expect(allowed.sort()).to.deep.equal([...ALLOWED].sort());
    expect(orderStatuses.transitions.refunded).to.deep.equal([]);
    expect(orderStatuses.transitions.cancelled).to.deep.equal([]);
  });

  it('refuses each change it does not allow with FAILED_PRECONDITION INVALID_STATUS_TRANSITION, writing nothing', async () => {
    const { id } = await insertOrder(db.orm, { userId: newId(), status: 'confirmed' });
    const historyBefore = await db.orm.em.fork().count(OrderStatusHistory, { order: id });
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        if (from === to || ALLOWED.has(`${from}→${to}`)) continue;
        const error = await failureOf(
          db.orm.em.fork().transactional((tx) =>
            orderStatuses.apply(tx, { id, from, to, changedBy: 'system' }, () => {
              throw new Error('must not write');
            }),
          ),
        );
        expect(error.code, `${from}→${to}`).to.equal(status.FAILED_PRECONDITION);
        expect(error.reason, `${from}→${to}`).to.equal('INVALID_STATUS_TRANSITION');
        expect(error.metadata).to.deep.equal({ entity: 'order', id, from, to });
      }
    }
    expect(await db.orm.em.fork().count(OrderStatusHistory, { order: id })).to.equal(historyBefore);
  });

  it('applies each allowed change with one history row saying who and why', async () => {
    for (const pair of ALLOWED) {
      const [from, to] = pair.split('→') as [OrderStatus, OrderStatus];
      const { id } = await insertOrder(db.orm, { userId: newId(), status: 'confirmed' });
      const who = newId();
      const before = await db.orm.em.fork().count(OrderStatusHistory, { order: id });
      const changed = await db.orm.em.fork().transactional((tx) =>
        orderStatuses.apply(tx, { id, from, to, changedBy: who, note: `because ${pair}` }, async () => {
          await tx.nativeUpdate(
            Order,
            { id },
            { status: to, confirmedAt: new Date(), cancelledAt: new Date(), deliveredAt: new Date() },
          );
        }),
      );
      // A change to the status it has (a further partial refund) is "nothing to do" for apply.
      const expectChange = from !== to;
      expect(changed, pair).to.equal(expectChange);
      const rows = await db.orm.em
        .fork()
        .find(OrderStatusHistory, { order: id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
      expect(rows.length, pair).to.equal(before + (expectChange ? 1 : 0));
      if (expectChange) {
        const last = rows.at(-1)!;
        expect([last.previousStatus, last.status, last.changedBy, last.reason], pair).to.deep.equal([
          from,
          to,
          who,
          `because ${pair}`,
        ]);
      }
    }
  });
});
