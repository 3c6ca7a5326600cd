import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { OrderStatus, type ListOrdersRequest, type Order } from '../gen/ecommerce/order/v1/order.js';
import type { MikroORM } from '../lib/db/index.js';
import { newId } from '../lib/ids.js';
import { orderCallers, orderClient, orderOrm } from './order-support.js';
import { failureOf } from './support/clients.js';
import { startTestMesh, type TestMesh } from './support/mesh.js';
import { insertOrder, type InsertedOrder, type OrderSpec } from './support/order-fixtures.js';

const {
  ORDER_STATUS_SHIPPED: SHIPPED,
  ORDER_STATUS_DELIVERED: DELIVERED,
  ORDER_STATUS_CANCELLED: CANCELLED,
} = OrderStatus;

/** Newest first, ties on created_at by id, both descending: the order of every listing. */
const newestFirst = (a: InsertedOrder, b: InsertedOrder) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** ListMyOrders and ListOrders over gRPC: filters, keyset pages without gaps or repeats, refusals. */
describe('order lists over gRPC: ListMyOrders, ListOrders', function () {
  this.timeout(180_000);
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

  /** Every page of a listing, `pageSize` at a time, and the number of pages it took. */
  async function allPages(
    list: (pageToken: string) => Promise<{ orders: Order[]; page?: { nextPageToken: string } | undefined }>,
  ): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const answer = await list(pageToken);
      ids.push(...answer.orders.map((order) => order.id));
      pageToken = answer.page?.nextPageToken ?? '';
      pages++;
      expect(pages, 'pages').to.be.below(100);
    } while (pageToken !== '');
    return { ids, pages };
  }

  describe('ListMyOrders', () => {
    it('pages through the caller’s own orders newest first, ties included, and nobody else’s', async () => {
      const me = callers.customer;
      const tie = new Date(Date.UTC(2030, 0, 10, 12));
      const specs: OrderSpec[] = [
        ...[1, 2, 3, 4].map((day) => ({ userId: me.userId, createdAt: new Date(Date.UTC(2030, 0, day)) })),
        ...[1, 2, 3].map(() => ({ userId: me.userId, createdAt: tie, status: 'shipped' as const })),
      ];
      const mine = await Promise.all(specs.map((spec) => insertOrder(orm, spec)));
      await insertOrder(orm, { userId: callers.otherCustomer.userId, createdAt: tie });
      await insertOrder(orm, { guestEmail: `${me.userId}@example.com`, createdAt: tie });

      const { ids, pages } = await allPages((pageToken) =>
        api.listMyOrders({ page: { pageSize: 2, pageToken } }, { token: me.token }),
      );
      expect(ids).to.deep.equal([...mine].sort(newestFirst).map((order) => order.id));
      expect(pages).to.equal(4);
      const first = await api.listMyOrders({ page: { pageSize: 1, pageToken: '' } }, { token: me.token });
      expect(first.orders[0]).to.include({ userId: me.userId });
      expect(first.orders[0]!.lines).to.have.length(2);
    });

    it('refuses another customer’s page token, a negative page size, no token and a platform service', async () => {
      await insertOrder(orm, { userId: callers.customer.userId });
      await insertOrder(orm, { userId: callers.customer.userId });
      const { page } = await api.listMyOrders(
        { page: { pageSize: 1, pageToken: '' } },
        { token: callers.customer.token },
      );
      const stolen = await failureOf(
        api.listMyOrders(
          { page: { pageSize: 1, pageToken: page!.nextPageToken } },
          { token: callers.otherCustomer.token },
        ),
      );
      expect(stolen.code).to.equal(status.INVALID_ARGUMENT);
      expect(stolen.violations.map((v) => v.field)).to.deep.equal(['page.page_token']);
      const negative = await failureOf(
        api.listMyOrders({ page: { pageSize: -1, pageToken: '' } }, { token: callers.customer.token }),
      );
      expect(negative.violations.map((v) => v.field)).to.deep.equal(['page.page_size']);
      expect((await failureOf(api.listMyOrders({ page: undefined }))).code).to.equal(status.UNAUTHENTICATED);
      expect(
        (await failureOf(api.listMyOrders({ page: undefined }, { token: callers.service.token }))).code,
      ).to.equal(status.PERMISSION_DENIED);
    });
  });

  describe('ListOrders', () => {
    // Every order of these tests is created in this window, so the listings see only them.
    const windowStart = new Date(Date.UTC(2031, 2, 1));
    const windowEnd = new Date(Date.UTC(2031, 2, 2));
    let orders: InsertedOrder[];
    let statuses: Map<string, OrderStatus>;
    let buyer: string;

    const request = (
      filters: Partial<ListOrdersRequest>,
      pageSize: number,
      pageToken: string,
    ): ListOrdersRequest => ({
      statuses: [],
      createdFrom: windowStart,
      createdBefore: windowEnd,
      userId: '',
      orderNumber: '',
      minTotalMinor: 0,
      maxTotalMinor: 0,
      ...filters,
      page: { pageSize, pageToken },
    });

    const listAll = (filters: Partial<ListOrdersRequest>, pageSize = 4) =>
      allPages((pageToken) =>
        api.listOrders(request(filters, pageSize, pageToken), { token: callers.reader.token }),
      );

    before(async () => {
      buyer = newId();
      const kinds = ['confirmed', 'processing', 'shipped', 'delivered', 'cancelled'] as const;
      const tie = new Date(Date.UTC(2031, 2, 1, 12));
      const specs: OrderSpec[] = Array.from({ length: 24 }, (_, i) => ({
        userId: i % 3 === 0 ? buyer : i % 3 === 1 ? newId() : undefined,
        status: kinds[i % kinds.length],
        shipping: 100 * i,
        // A third of them at one instant: the pages must split a tie without losing or repeating.
        createdAt: i % 3 === 2 ? tie : new Date(windowStart.getTime() + i * 60_000),
      }));
      orders = await Promise.all(specs.map((spec) => insertOrder(orm, spec)));
      statuses = new Map(
        orders.map((order, i) => [
          order.id,
          [
            OrderStatus.ORDER_STATUS_CONFIRMED,
            OrderStatus.ORDER_STATUS_PROCESSING,
            SHIPPED,
            DELIVERED,
            CANCELLED,
          ][i % kinds.length]!,
        ]),
      );
      // Outside the window: never listed by these filters.
      await insertOrder(orm, { userId: buyer, createdAt: windowEnd });
      await insertOrder(orm, { userId: buyer, createdAt: new Date(windowStart.getTime() - 1) });
    });

    const expected = (keep: (order: InsertedOrder) => boolean) =>
      orders
        .filter(keep)
        .sort(newestFirst)
        .map((order) => order.id);

    it('lists every order of the window newest first, page after page, with no gap and no repeat', async () => {
      for (const pageSize of [1, 4, 7, 100]) {
        const { ids } = await listAll({}, pageSize);
        expect(ids, `page size ${pageSize}`).to.deep.equal(expected(() => true));
      }
    });

    it('filters by statuses, customer, order number and total, each paged the same way', async () => {
      const cheap = orders.map((order) => order.totalMinor).sort((a, b) => a - b)[8]!;
      const dear = orders.map((order) => order.totalMinor).sort((a, b) => a - b)[17]!;
      const cases: [string, Partial<ListOrdersRequest>, (order: InsertedOrder) => boolean][] = [
        [
          'shipped or delivered',
          { statuses: [SHIPPED, DELIVERED] },
          (o) => [SHIPPED, DELIVERED].includes(statuses.get(o.id)!),
        ],
        ['cancelled', { statuses: [CANCELLED] }, (o) => statuses.get(o.id) === CANCELLED],
        ['one customer', { userId: buyer }, (o) => o.userId === buyer],
        [
          'one customer, delivered',
          { userId: buyer, statuses: [DELIVERED] },
          (o) => o.userId === buyer && statuses.get(o.id) === DELIVERED,
        ],
        ['one number', { orderNumber: orders[5]!.orderNumber }, (o) => o.id === orders[5]!.id],
        ['total from', { minTotalMinor: cheap }, (o) => o.totalMinor >= cheap],
        ['total up to', { maxTotalMinor: dear }, (o) => o.totalMinor <= dear],
        [
          'total between',
          { minTotalMinor: cheap, maxTotalMinor: dear },
          (o) => o.totalMinor >= cheap && o.totalMinor <= dear,
        ],
      ];
      for (const [name, filters, keep] of cases) {
        const want = expected(keep);
        expect(want.length, name).to.be.greaterThan(0);
        const { ids } = await listAll(filters, 3);
        expect(ids, name).to.deep.equal(want);
      }
      const narrow = await listAll({
        createdFrom: new Date(windowStart.getTime() + 5 * 60_000),
        createdBefore: new Date(windowStart.getTime() + 9 * 60_000),
      });
      expect(narrow.ids).to.deep.equal(
        expected(
          (o) =>
            o.createdAt.getTime() >= windowStart.getTime() + 5 * 60_000 &&
            o.createdAt.getTime() < windowStart.getTime() + 9 * 60_000,
        ),
      );
    });

    it('an order placed while a customer pages is neither repeated nor makes one skip', async () => {
      const seen: string[] = [];
      let answer = await api.listOrders(request({}, 5, ''), { token: callers.admin.token });
      seen.push(...answer.orders.map((order) => order.id));
      const late = await insertOrder(orm, { userId: buyer, createdAt: new Date(windowEnd.getTime() - 1) });
      while (answer.page!.nextPageToken) {
        answer = await api.listOrders(request({}, 5, answer.page!.nextPageToken), {
          token: callers.admin.token,
        });
        seen.push(...answer.orders.map((order) => order.id));
      }
      expect(seen).to.deep.equal(expected(() => true));
      const again = await listAll({});
      expect(again.ids[0]).to.equal(late.id);
      orders.push(late);
      statuses.set(late.id, OrderStatus.ORDER_STATUS_CONFIRMED);
    });

    it('refuses filters that cannot hold, naming each field, before any query', async () => {
      const refusals: [Partial<ListOrdersRequest>, string[]][] = [
        [{ createdBefore: windowStart }, ['created_before']],
        [{ statuses: [OrderStatus.ORDER_STATUS_UNSPECIFIED] }, ['statuses[0]']],
        [{ userId: 'someone' }, ['user_id']],
        [{ orderNumber: 'ORD-42' }, ['order_number']],
        [{ minTotalMinor: -1 }, ['min_total_minor']],
        [{ minTotalMinor: 500, maxTotalMinor: 499 }, ['max_total_minor']],
        [{ maxTotalMinor: 1_000_000_000_000 }, ['max_total_minor']],
        [
          { userId: 'x', minTotalMinor: -5, createdBefore: windowStart },
          ['created_before', 'min_total_minor', 'user_id'],
        ],
      ];
      for (const [filters, fields] of refusals) {
        const failure = await failureOf(
          api.listOrders(request(filters, 10, ''), { token: callers.admin.token }),
        );
        expect(failure.code, JSON.stringify(filters)).to.equal(status.INVALID_ARGUMENT);
        expect(failure.violations.map((v) => v.field).sort(), JSON.stringify(filters)).to.deep.equal(fields);
      }
      const { page } = await api.listOrders(request({}, 2, ''), { token: callers.admin.token });
      const otherFilters = await failureOf(
        api.listOrders(request({ statuses: [SHIPPED] }, 2, page!.nextPageToken), {
          token: callers.admin.token,
        }),
      );
      expect(otherFilters.violations).to.deep.equal([
        {
          field: 'page.page_token',
          description: 'belongs to a listing with other filters or another sort order',
        },
      ]);
      const forged = await failureOf(
        api.listOrders(request({}, 2, 'bm90IGEgdG9rZW4'), { token: callers.admin.token }),
      );
      expect(forged.violations.map((v) => v.field)).to.deep.equal(['page.page_token']);
    });

    it('is for staff holding order:read: a customer and a platform service are PERMISSION_DENIED', async () => {
      for (const token of [callers.customer.token, callers.service.token]) {
        const denied = await failureOf(api.listOrders(request({}, 1, ''), { token }));
        expect(denied.code).to.equal(status.PERMISSION_DENIED);
      }
      expect((await failureOf(api.listOrders(request({}, 1, '')))).code).to.equal(status.UNAUTHENTICATED);
    });
  });
});
