import type { MikroORM } from '@mikro-orm/postgresql';
import { ShippingServiceService } from '../../../gen/ecommerce/shipping/v1/shipping.js';
import { allow } from '../../../lib/auth/access-rule.js';
import { accountIdOf } from '../../../lib/auth/principal.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import {
  createCarrier,
  deleteCarrier,
  getCarrier,
  listCarriers,
  updateCarrier,
} from './domain/admin/carriers.js';
import {
  createShippingMethod,
  deleteShippingMethod,
  getShippingMethod,
  listShippingMethods,
  updateShippingMethod,
} from './domain/admin/methods.js';
import {
  createShippingRate,
  deleteShippingRate,
  listShippingRates,
  updateShippingRate,
} from './domain/admin/rates.js';
import { createZone, deleteZone, getZone, listZones, updateZone } from './domain/admin/zones.js';
import { advanceSimulatedCarrier } from './domain/fulfilment/advance-simulated-carrier.js';
import { markShipmentShipped } from './domain/fulfilment/mark-shipment-shipped.js';
import {
  getMyShipmentTracking,
  getShipment,
  listOrderShipments,
} from './domain/fulfilment/read-shipments.js';
import { splitShipment } from './domain/fulfilment/split-shipment.js';
import { confirmShippingMethod } from './domain/quote/confirm-shipping-method.js';
import { quoteShipping } from './domain/quote/quote-shipping.js';
import type { ShippingDeps } from './domain/shipping-deps.js';

/**
 * Quotes are open to anyone who shops (guests, accounts) and to the platform's services; the
 * checkout's confirmation is internal; a customer reads the tracking of their own orders; moving
 * the simulated carrier's clock takes shipping:simulate; the rest is the shipping staff's:
 * shipping:read to read, shipping:write to change (a writer may read too).
 */
export function shippingHandlers(
  orm: MikroORM,
  deps: ShippingDeps,
): ServiceHandlers<typeof ShippingServiceService> {
  const shopper = allow.anyOf(allow.guestOrAccount(), allow.internal());
  const reader = allow.anyOf(allow.permission('shipping:read'), allow.permission('shipping:write'));
  const editor = allow.permission('shipping:write');
  const page = (next: string) => ({ nextPageToken: next });
  const fork = () => orm.em.fork();
  return {
    quoteShipping: {
      access: shopper,
      handle: async (request) => quoteShipping(orm.em.fork(), deps.catalog, request),
    },
    confirmShippingMethod: {
      access: allow.internal(),
      handle: async (request) => confirmShippingMethod(orm.em.fork(), deps.catalog, request),
    },

    createZone: {
      access: editor,
      handle: async (request) => ({ zone: await createZone(orm.em.fork(), request) }),
    },
    getZone: {
      access: reader,
      handle: async (request) => ({ zone: await getZone(orm.em.fork(), request.zoneId) }),
    },
    listZones: {
      access: reader,
      handle: async (request) => {
        const { zones, nextPageToken } = await listZones(orm.em.fork(), request);
        return { zones, page: page(nextPageToken) };
      },
    },
    updateZone: {
      access: editor,
      handle: async (request) => ({ zone: await updateZone(orm.em.fork(), request) }),
    },
    deleteZone: {
      access: editor,
      handle: async (request) => ({ deleted: await deleteZone(orm.em.fork(), request.zoneId) }),
    },

    createShippingMethod: {
      access: editor,
      handle: async (request) => ({ method: await createShippingMethod(orm.em.fork(), request) }),
    },
    getShippingMethod: {
      access: reader,
      handle: async (request) => ({ method: await getShippingMethod(orm.em.fork(), request.methodId) }),
    },
    listShippingMethods: {
      access: reader,
      handle: async (request) => {
        const { methods, nextPageToken } = await listShippingMethods(orm.em.fork(), request);
        return { methods, page: page(nextPageToken) };
      },
    },
    updateShippingMethod: {
      access: editor,
      handle: async (request) => ({ method: await updateShippingMethod(orm.em.fork(), request) }),
    },
    deleteShippingMethod: {
      access: editor,
      handle: async (request) => ({ deleted: await deleteShippingMethod(orm.em.fork(), request.methodId) }),
    },

    createShippingRate: {
      access: editor,
      handle: async (request) => ({ rate: await createShippingRate(orm.em.fork(), request) }),
    },
    listShippingRates: {
      access: reader,
      handle: async (request) => {
        const { rates, nextPageToken } = await listShippingRates(orm.em.fork(), request);
        return { rates, page: page(nextPageToken) };
      },
    },
    updateShippingRate: {
      access: editor,
      handle: async (request) => ({ rate: await updateShippingRate(orm.em.fork(), request) }),
    },
    deleteShippingRate: {
      access: editor,
      handle: async (request) => ({ deleted: await deleteShippingRate(orm.em.fork(), request.rateId) }),
    },

    createCarrier: {
      access: editor,
      handle: async (request) => ({ carrier: await createCarrier(orm.em.fork(), deps.carrierKeys, request) }),
    },
    getCarrier: {
      access: reader,
      handle: async (request) => ({ carrier: await getCarrier(orm.em.fork(), request.carrierId) }),
    },
    listCarriers: {
      access: reader,
      handle: async (request) => {
        const { carriers, nextPageToken } = await listCarriers(orm.em.fork(), request);
        return { carriers, page: page(nextPageToken) };
      },
    },
    updateCarrier: {
      access: editor,
      handle: async (request) => ({ carrier: await updateCarrier(orm.em.fork(), deps.carrierKeys, request) }),
    },
    deleteCarrier: {
      access: editor,
      handle: async (request) => ({ deleted: await deleteCarrier(orm.em.fork(), request.carrierId) }),
    },

    listOrderShipments: {
      access: reader,
      handle: async (request) => ({ shipments: await listOrderShipments(fork(), request.orderId) }),
    },
    getShipment: {
      access: reader,
      handle: async (request) => ({ shipment: await getShipment(fork(), request.shipmentId) }),
    },
    splitShipment: {
      access: editor,
      handle: async (request) => splitShipment(fork(), request),
    },
    markShipmentShipped: {
      access: editor,
      handle: async (request) => ({
        shipment: await markShipmentShipped(fork, deps.carriers, deps.approval, request),
      }),
    },
    getMyShipmentTracking: {
      access: allow.account(),
      handle: async (request, ctx) => ({
        shipments: await getMyShipmentTracking(fork(), accountIdOf(ctx.principal), request.orderId),
      }),
    },
    advanceSimulatedCarrier: {
      access: allow.permission('shipping:simulate'),
      handle: async (request) => advanceSimulatedCarrier(fork, deps.carriers, deps.simulatedClock, request),
    },
  };
}
