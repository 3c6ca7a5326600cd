import {
  ProductServiceService,
  ReservationState,
  type Reservation,
} from '../../../../gen/ecommerce/product/v1/product.js';
import { allow } from '../../../../lib/auth/access-rule.js';
import type { ServiceHandlers } from '../../../../lib/grpc/index.js';
import { adjustStock } from '../inventory/adjust-stock.js';
import {
  commitReservation,
  releaseReservation,
  reserveStock,
  type ReservationRecord,
} from '../inventory/reservations.js';
import { restock } from '../inventory/restock.js';
import { getStock } from '../inventory/stock-levels.js';
import { CATALOG_WRITE, editorOrService, type HandlerDeps } from './context.js';

type Handlers = ServiceHandlers<typeof ProductServiceService>;
type InventoryHandlers = Pick<
  Handlers,
  'getStock' | 'adjustStock' | 'reserveStock' | 'releaseReservation' | 'commitReservation' | 'restock'
>;

const STATES: Record<ReservationRecord['state'], ReservationState> = {
  reserved: ReservationState.RESERVATION_STATE_RESERVED,
  released: ReservationState.RESERVATION_STATE_RELEASED,
  committed: ReservationState.RESERVATION_STATE_COMMITTED,
};

function toReservation(record: ReservationRecord): Reservation {
  return {
    orderId: record.orderId,
    state: STATES[record.state],
    units: record.units.map(({ variantId, location, quantity }) => ({ variantId, location, quantity })),
  };
}

export function inventoryHandlers({ orm, cache, settings }: HandlerDeps): InventoryHandlers {
  // Availability is part of a cached product: this process's stock changes drop those products at
  // once (other replicas catch up through low-stock events and the cache's short TTL).
  const stockMoved = (productIds: Iterable<string>) => {
    for (const productId of new Set(productIds)) cache.invalidate(productId);
  };
  const reservationMoved = (record: ReservationRecord) =>
    stockMoved(record.units.map((unit) => unit.productId));
  return {
    getStock: {
      access: editorOrService(),
      handle: (request) => getStock(orm.em.fork(), request),
    },
    adjustStock: {
      access: allow.permission(CATALOG_WRITE),
      async handle(request, ctx) {
        const { productId, level } = await adjustStock(
          orm.em.fork(),
          request,
          ctx.principal!.userId,
          settings.lowStockThreshold,
        );
        stockMoved([productId]);
        return { level };
      },
    },
    reserveStock: {
      access: allow.internal(),
      async handle(request) {
        const record = await reserveStock(orm.em.fork(), request, settings.lowStockThreshold);
        reservationMoved(record);
        return { reservation: toReservation(record) };
      },
    },
    releaseReservation: {
      access: allow.internal(),
      async handle(request) {
        const { reservation, releasedNow } = await releaseReservation(
          orm.em.fork(),
          request,
          settings.lowStockThreshold,
        );
        reservationMoved(reservation);
        return { reservation: toReservation(reservation), releasedNow };
      },
    },
    commitReservation: {
      access: allow.internal(),
      async handle(request) {
        const record = await commitReservation(orm.em.fork(), request, settings.lowStockThreshold);
        reservationMoved(record);
        return { reservation: toReservation(record) };
      },
    },
    restock: {
      access: allow.internal(),
      async handle(request) {
        const { restockedNow, productIds } = await restock(
          orm.em.fork(),
          request,
          settings.lowStockThreshold,
        );
        stockMoved(productIds);
        return { restockedNow };
      },
    },
  };
}
