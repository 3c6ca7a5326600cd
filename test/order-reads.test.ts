import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { OrderStatus } from '../gen/ecommerce/order/v1/order.js';
import type { MikroORM } from '../lib/db/index.js';
import { newId } from '../lib/ids.js';
import { formatOrderNumber } from '../services/order/src/domain/order-number.js';
import { orderCallers, orderClient, orderOrm } from './order-support.js';
import { failureOf } from './support/clients.js';
import { startTestMesh, type TestMesh } from './support/mesh.js';
import { insertOrder } from './support/order-fixtures.js';

/** GetOrder and GetGuestOrder over gRPC: who reaches which order, and which notes. */
describe('order reads over gRPC: GetOrder, GetGuestOrder, AddOrderNote', function () {
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

  describe('GetOrder', () => {
    it('answers the order to its customer, to staff holding order:read and to a platform service', async () => {
      const placed = await insertOrder(orm, { userId: callers.customer.userId });
      for (const token of [
        callers.customer.token,
        callers.admin.token,
        callers.reader.token,
        callers.service.token,
      ]) {
        const { order } = await api.getOrder({ orderId: placed.id }, { token });
        expect(order).to.include({
          id: placed.id,
          orderNumber: placed.orderNumber,
          status: OrderStatus.ORDER_STATUS_CONFIRMED,
          userId: callers.customer.userId,
        });
        expect(order!.grandTotal).to.deep.equal({ currencyCode: 'EUR', amountMinor: placed.totalMinor });
        expect(order!.lines).to.have.length(2);
        expect(order!.history.map((change) => change.status)).to.deep.equal([
          OrderStatus.ORDER_STATUS_PENDING,
          OrderStatus.ORDER_STATUS_CONFIRMED,
        ]);
      }
    });

    it('answers another customer NOT_FOUND, exactly as for an order that does not exist', async () => {
      const placed = await insertOrder(orm, { userId: callers.customer.userId });
      const others = await failureOf(
        api.getOrder({ orderId: placed.id }, { token: callers.otherCustomer.token }),
      );
      const unknownId = newId();
      const unknown = await failureOf(
        api.getOrder({ orderId: unknownId }, { token: callers.customer.token }),
      );
      expect([others.code, unknown.code]).to.deep.equal([status.NOT_FOUND, status.NOT_FOUND]);
      expect(others.details).to.equal(`order ${placed.id} not found`);
      expect(unknown.details).to.equal(`order ${unknownId} not found`);
      // A guest's order is nobody's account's.
      const guests = await insertOrder(orm, { guestEmail: 'guest@example.com' });
      expect(
        (await failureOf(api.getOrder({ orderId: guests.id }, { token: callers.customer.token }))).code,
      ).to.equal(status.NOT_FOUND);
    });

    it('refuses a malformed id naming order_id, and a caller without a token', async () => {
      for (const orderId of ['', 'not-a-uuid']) {
        const failure = await failureOf(api.getOrder({ orderId }, { token: callers.customer.token }));
        expect(failure.code).to.equal(status.INVALID_ARGUMENT);
        expect(failure.violations.map((v) => v.field)).to.deep.equal(['order_id']);
      }
      const anonymous = await failureOf(api.getOrder({ orderId: newId() }));
      expect(anonymous.code).to.equal(status.UNAUTHENTICATED);
    });
  });

  describe('notes', () => {
    it('AddOrderNote writes internal notes for staff and visible ones the customer reads too', async () => {
      const placed = await insertOrder(orm, { userId: callers.customer.userId });
      const internal = await api.addOrderNote(
        { orderId: placed.id, note: '  fragile: pack twice  ', internal: true },
        { token: callers.admin.token },
      );
      expect(internal.note).to.include({
        note: 'fragile: pack twice',
        internal: true,
        createdBy: callers.admin.userId,
      });
      const visible = await api.addOrderNote(
        { orderId: placed.id, note: 'Your parcel leaves tomorrow', internal: false },
        { token: callers.otherAdmin.token },
      );
      expect(visible.note).to.include({ internal: false, createdBy: callers.otherAdmin.userId });

      const seenBy = async (token: string) =>
        (await api.getOrder({ orderId: placed.id }, { token })).order!.notes.map((note) => note.id);
      expect(await seenBy(callers.customer.token)).to.deep.equal([visible.note!.id]);
      expect(await seenBy(callers.reader.token)).to.deep.equal([internal.note!.id, visible.note!.id]);
      expect(await seenBy(callers.service.token)).to.deep.equal([internal.note!.id, visible.note!.id]);
    });

    it('refuses an empty note, an unknown order, and callers without order:write', async () => {
      const placed = await insertOrder(orm, { userId: callers.customer.userId });
      const empty = await failureOf(
        api.addOrderNote({ orderId: placed.id, note: '   ', internal: true }, { token: callers.admin.token }),
      );
      expect(empty.code).to.equal(status.INVALID_ARGUMENT);
      expect(empty.violations).to.deep.equal([{ field: 'note', description: 'is required' }]);
      const tooLong = await failureOf(
        api.addOrderNote(
          { orderId: placed.id, note: 'x'.repeat(2001), internal: true },
          { token: callers.admin.token },
        ),
      );
      expect(tooLong.code).to.equal(status.INVALID_ARGUMENT);
      expect(tooLong.violations.map((v) => v.field)).to.deep.equal(['note']);
      const unknown = await failureOf(
        api.addOrderNote({ orderId: newId(), note: 'hello', internal: true }, { token: callers.admin.token }),
      );
      expect(unknown.code).to.equal(status.NOT_FOUND);
      for (const token of [callers.customer.token, callers.reader.token, callers.service.token]) {
        const denied = await failureOf(
          api.addOrderNote({ orderId: placed.id, note: 'hello', internal: false }, { token }),
        );
        expect(denied.code).to.equal(status.PERMISSION_DENIED);
      }
      const { order } = await api.getOrder({ orderId: placed.id }, { token: callers.admin.token });
      expect(order!.notes).to.deep.equal([]);
    });
  });

  describe('GetGuestOrder', () => {
    it('answers a guest order to its number and email, the email in any case, without a token', async () => {
      const placed = await insertOrder(orm, { guestEmail: 'Grace.Hopper@Example.com' });
      for (const email of [
        'Grace.Hopper@Example.com',
        'grace.hopper@example.com',
        ' GRACE.HOPPER@EXAMPLE.COM ',
      ]) {
        const { order } = await api.getGuestOrder({ orderNumber: placed.orderNumber, email });
        expect(order).to.include({ id: placed.id, userId: '', guestEmail: 'Grace.Hopper@Example.com' });
      }
      // As the guest may type it: lower case, spaces around.
      const typed = await api.getGuestOrder({
        orderNumber: ` ${placed.orderNumber.toLowerCase()} `,
        email: 'grace.hopper@example.com',
      });
      expect(typed.order!.id).to.equal(placed.id);
    });

    it('shows a guest only the notes meant for customers', async () => {
      const placed = await insertOrder(orm, { guestEmail: 'ada@example.com' });
      await api.addOrderNote(
        { orderId: placed.id, note: 'staff only', internal: true },
        { token: callers.admin.token },
      );
      const visible = await api.addOrderNote(
        { orderId: placed.id, note: 'on its way', internal: false },
        { token: callers.admin.token },
      );
      const { order } = await api.getGuestOrder({
        orderNumber: placed.orderNumber,
        email: 'ada@example.com',
      });
      expect(order!.notes.map((note) => note.id)).to.deep.equal([visible.note!.id]);
    });

    it('answers NOT_FOUND to a wrong pair, whichever part is wrong, and never finds a customer’s order', async () => {
      const placed = await insertOrder(orm, { guestEmail: 'ada@example.com' });
      const other = await insertOrder(orm, { guestEmail: 'bob@example.com' });
      const customers = await insertOrder(orm, { userId: callers.customer.userId });
      const unknownNumber = formatOrderNumber(9_999_999_999);
      const wrong = [
        { orderNumber: placed.orderNumber, email: 'bob@example.com' },
        { orderNumber: other.orderNumber, email: 'ada@example.com' },
        { orderNumber: unknownNumber, email: 'ada@example.com' },
        { orderNumber: customers.orderNumber, email: `${callers.customer.userId}@example.com` },
      ];
      for (const request of wrong) {
        const failure = await failureOf(api.getGuestOrder(request));
        expect(failure.code, JSON.stringify(request)).to.equal(status.NOT_FOUND);
        expect(failure.details).to.equal('guest order not found');
      }
    });

    it('refuses a malformed number, a mistyped one (its check digit) and a missing email before looking', async () => {
      const placed = await insertOrder(orm, { guestEmail: 'ada@example.com' });
      const digit = Number(placed.orderNumber.slice(-1));
      const mistyped = `${placed.orderNumber.slice(0, -1)}${(digit + 1) % 10}`;
      const cases = [
        { request: { orderNumber: '12345', email: 'ada@example.com' }, field: 'order_number' },
        { request: { orderNumber: 'ORD-12-3', email: 'ada@example.com' }, field: 'order_number' },
        { request: { orderNumber: mistyped, email: 'ada@example.com' }, field: 'order_number' },
        { request: { orderNumber: '', email: 'ada@example.com' }, field: 'order_number' },
        { request: { orderNumber: placed.orderNumber, email: '' }, field: 'email' },
        { request: { orderNumber: placed.orderNumber, email: 'not an email' }, field: 'email' },
      ];
      for (const { request, field } of cases) {
        const failure = await failureOf(api.getGuestOrder(request));
        expect(failure.code, JSON.stringify(request)).to.equal(status.INVALID_ARGUMENT);
        expect(
          failure.violations.map((v) => v.field),
          JSON.stringify(request),
        ).to.deep.equal([field]);
      }
      const mistypedAnswer = await failureOf(
        api.getGuestOrder({ orderNumber: mistyped, email: 'ada@example.com' }),
      );
      expect(mistypedAnswer.violations[0]!.description).to.equal(
        'is not an order number (a digit is mistyped)',
      );
    });
  });
});
