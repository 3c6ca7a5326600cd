import { expect } from 'chai';
import { OrderStatus } from '../../../gen/ecommerce/order/v1/order.js';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { insertOrder } from '../../../test/support/order-fixtures.js';
import { orderDatabase } from '../src/database.js';
import { Order, OrderNote } from '../src/entities/index.js';
import { existingOrderView, orderView, orderViews } from '../src/domain/order-view.js';

const {
  ORDER_STATUS_PENDING: PENDING,
  ORDER_STATUS_CONFIRMED: CONFIRMED,
  ORDER_STATUS_UNSPECIFIED: UNSET,
} = OrderStatus;

describe('the order view (what GetOrder, the lists and PlaceOrder answer)', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openScratchDatabase('order_view', orderDatabase);
  });
  after(async () => {
    await db?.drop();
  });

  it('shows lines with their tax in the line total, amounts that reconcile, the address and the history oldest first', async () => {
    const userId = newId();
    const inserted = await insertOrder(db.orm, {
      userId,
      currency: 'JPY',
      shipping: 800,
      lines: [
        { unitPrice: 1500, quantity: 3, discount: 450, tax: 405 },
        { unitPrice: 99, quantity: 1, tax: 9 },
      ],
    });
    const em = db.orm.em.fork();
    const view = await existingOrderView(em, inserted.id, 'customer');

    const yen = (amountMinor: number) => ({ currencyCode: 'JPY', amountMinor });
    expect(
      view.lines.map((line) => [line.quantity, line.unitPrice, line.discount, line.tax, line.total]),
    ).to.deep.equal([
      [3, yen(1500), yen(450), yen(405), yen(1500 * 3 - 450 + 405)],
      [1, yen(99), yen(0), yen(9), yen(108)],
    ]);
    expect(view.lines.map((line) => line.id)).to.deep.equal(inserted.lineIds);
    expect([
      view.subtotal,
      view.discountTotal,
      view.shippingTotal,
      view.taxTotal,
      view.grandTotal,
    ]).to.deep.equal([yen(4599), yen(450), yen(800), yen(414), yen(4599 - 450 + 800 + 414)]);
    expect(view.grandTotal!.amountMinor).to.equal(inserted.totalMinor);
    expect(view).to.include({
      id: inserted.id,
      orderNumber: inserted.orderNumber,
      status: CONFIRMED,
      userId,
      guestEmail: '',
      cartId: inserted.cartId,
      shippingMethodName: 'Standard',
      cancellationReason: '',
    });
    expect(view.shippingAddress).to.include({
      firstName: 'Ada',
      lastName: 'Lovelace',
      country: 'GB',
      line2: '',
    });
    expect(
      view.history.map((change) => [change.previousStatus, change.status, change.changedBy]),
    ).to.deep.equal([
      [UNSET, PENDING, 'system'],
      [PENDING, CONFIRMED, 'system'],
    ]);
    expect(view.confirmedAt).to.be.instanceOf(Date);
    expect(view.cancelledAt).to.equal(undefined);
  });

  it('with tax-inclusive prices, a line total is what the line costs: its tax is inside it, not added', async () => {
    const inserted = await insertOrder(db.orm, {
      currency: 'EUR',
      lines: [{ unitPrice: 1190, quantity: 2, discount: 238, tax: 342 }],
    });
    await db.orm.em
      .fork()
      .nativeUpdate(
        Order,
        { id: inserted.id },
        { pricesIncludeTax: true, totalAmount: inserted.totalMinor - 342 },
      );
    const view = await existingOrderView(db.orm.em.fork(), inserted.id, 'customer');
    expect(view.lines.map((line) => [line.tax!.amountMinor, line.total!.amountMinor])).to.deep.equal([
      [342, 1190 * 2 - 238],
    ]);
  });

  it('a guest order has its email and no user; a cancelled one says why and when', async () => {
    const guest = await insertOrder(db.orm, { guestEmail: 'Ada@Example.com', status: 'cancelled' });
    const view = await existingOrderView(db.orm.em.fork(), guest.id, 'customer');
    expect(view).to.include({
      userId: '',
      guestEmail: 'Ada@Example.com',
      cancellationReason: 'changed my mind',
    });
    expect(view.cancelledAt).to.be.instanceOf(Date);
  });

  it('shows customers only the notes meant for them, staff every note, oldest first', async () => {
    const { id } = await insertOrder(db.orm, { userId: newId() });
    const em = db.orm.em.fork();
    const at = Date.now();
    em.create(OrderNote, {
      order: id,
      note: 'fragile',
      isInternal: true,
      createdBy: 'system',
      createdAt: new Date(at),
    });
    em.create(OrderNote, {
      order: id,
      note: 'gift wrapped',
      isInternal: false,
      createdBy: 'system',
      createdAt: new Date(at + 1),
    });
    await em.flush();
    const asCustomer = await existingOrderView(db.orm.em.fork(), id, 'customer');
    const asStaff = await existingOrderView(db.orm.em.fork(), id, 'staff');
    expect(asCustomer.notes.map((note) => [note.note, note.internal])).to.deep.equal([
      ['gift wrapped', false],
    ]);
    expect(asStaff.notes.map((note) => [note.note, note.internal])).to.deep.equal([
      ['fragile', true],
      ['gift wrapped', false],
    ]);
  });

  it('views several orders in the order given, each with its own lines, in one statement; an unknown id is left out', async () => {
    const inserted = await Promise.all([1, 2, 3].map(() => insertOrder(db.orm, { userId: newId() })));
    const em = db.orm.em.fork();
    const ids = [...inserted].reverse().map((order) => order.id);
    let statements = 0;
    const onQuery = em.config.get('onQuery');
    em.config.set('onQuery', (sql: string, params: readonly unknown[]) => {
      statements++;
      return onQuery(sql, params as unknown[]);
    });
    try {
      const views = await orderViews(em, [ids[0]!, newId(), ...ids.slice(1)], 'staff');
      expect(views.map((view) => view.id)).to.deep.equal(ids);
      expect(views.map((view) => view.lines.map((line) => line.id))).to.deep.equal(
        [...inserted].reverse().map((order) => order.lineIds),
      );
    } finally {
      em.config.set('onQuery', onQuery);
    }
    expect(statements).to.equal(1);
    expect(await orderView(em, newId(), 'staff')).to.equal(undefined);
  });
});
