import { OrderDelivered, OrderStatusChanged } from '../gen/ecommerce/order/v1/events.js';
import { OrderServiceClient } from '../gen/ecommerce/order/v1/order.js';
import type { MikroORM } from '../lib/db/index.js';
import { OrderDeliveredEvent, OrderStatusChangedEvent } from '../lib/events/catalog.js';
import { decodeEnvelope } from '../lib/events/index.js';
import { plainClient } from './support/clients.js';
import type { TestMesh } from './support/mesh.js';
import { accountToken, internalToken } from './support/tokens.js';

/** The callers of the order tests: customers, staff of each kind, a platform service. */
export async function orderCallers(mesh: TestMesh) {
  return {
    customer: await accountToken(mesh),
    otherCustomer: await accountToken(mesh),
    admin: await accountToken(mesh, { roles: ['admin'], permissions: ['*'] }),
    otherAdmin: await accountToken(mesh, { roles: ['admin'], permissions: ['*'] }),
    /** Support staff: may read every order, may change none. */
    reader: await accountToken(mesh, { roles: ['support'], permissions: ['order:read'] }),
    service: { token: await internalToken(mesh, 'shipping') },
  };
}

export function orderClient(mesh: TestMesh) {
  return plainClient(OrderServiceClient, mesh.address('order'));
}

export async function orderOrm(mesh: TestMesh): Promise<MikroORM> {
  return (await mesh.database('order')).orm;
}

/**
 * The order events one order announced, read from the order service's outbox (written in the
 * transaction of each change, so this is exact at once, with no waiting for delivery).
 */
export async function orderEventsOf(
  orm: MikroORM,
  orderId: string,
): Promise<{ statusChanges: OrderStatusChanged[]; deliveries: OrderDelivered[] }> {
  const rows = await orm.em
    .fork()
    .execute<{ subject: string; envelope: Buffer }[]>(
      `SELECT subject, envelope FROM infra.outbox WHERE subject IN (?, ?) ORDER BY id`,
      [OrderStatusChangedEvent.subject, OrderDeliveredEvent.subject],
    );
  const decoded = rows.map((row) => ({
    subject: row.subject,
    payload: decodeEnvelope(row.envelope).payload,
  }));
  return {
    statusChanges: decoded
      .filter((row) => row.subject === OrderStatusChangedEvent.subject)
      .map((row) => OrderStatusChanged.decode(row.payload))
      .filter((event) => event.orderId === orderId),
    deliveries: decoded
      .filter((row) => row.subject === OrderDeliveredEvent.subject)
      .map((row) => OrderDelivered.decode(row.payload))
      .filter((event) => event.orderId === orderId),
  };
}
