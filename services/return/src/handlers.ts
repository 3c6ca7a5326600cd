import type { MikroORM } from '@mikro-orm/postgresql';
import { ReturnServiceService } from '../../../gen/ecommerce/return/v1/return.js';
import { allow } from '../../../lib/auth/access-rule.js';
import { accountIdOf, callerHolds, type Principal } from '../../../lib/auth/principal.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import { addReturnTracking } from './domain/add-tracking.js';
import type { ReturnAccess } from './domain/find-return.js';
import { getReturn } from './domain/get-return.js';
import { listMyReturns, listReturns } from './domain/list-returns.js';
import type { ReturnPorts } from './domain/ports.js';
import { receiveReturn } from './domain/receive-return.js';
import { refundReturn } from './domain/refund-return.js';
import { requestReturn } from './domain/request-return.js';
import { approveReturn, closeReturn, rejectReturn } from './domain/staff-decisions.js';
import type { ReturnSettings } from './settings.js';

export const RETURN_READ = 'return:read';
export const RETURN_WRITE = 'return:write';

/** Staff holding 'return:read' reach every return; any other account its own. */
function returnAccessOf(principal: Principal | undefined): ReturnAccess {
  if (callerHolds(principal, RETURN_READ)) return { reader: 'staff' };
  return { reader: 'customer', userId: accountIdOf(principal) };
}

/**
 * The return RPCs: customers ask for, read and track their own returns (another's is NOT_FOUND);
 * staff read every return through 'return:read' and decide, receive, refund and close them
 * through 'return:write'.
 */
export function returnHandlers(
  orm: MikroORM,
  ports: ReturnPorts,
  settings: ReturnSettings,
): ServiceHandlers<typeof ReturnServiceService> {
  const staffWrite = allow.permission(RETURN_WRITE);
  return {
    requestReturn: {
      access: allow.account(),
      handle: async (request, ctx) => ({
        return: await requestReturn(
          orm.em.fork(),
          { orders: ports.orders, windowDays: settings.windowDays },
          accountIdOf(ctx.principal),
          request,
        ),
      }),
    },
    getReturn: {
      access: allow.account(),
      handle: async (request, ctx) => ({
        return: await getReturn(orm.em.fork(), returnAccessOf(ctx.principal), request.returnId),
      }),
    },
    listMyReturns: {
      access: allow.account(),
      handle: async (request, ctx) => {
        const { returns, nextPageToken } = await listMyReturns(
          orm.em.fork(),
          accountIdOf(ctx.principal),
          request.page,
        );
        return { returns, page: { nextPageToken } };
      },
    },
    addReturnTracking: {
      access: allow.account(),
      handle: async (request, ctx) => ({
        return: await addReturnTracking(orm.em.fork(), accountIdOf(ctx.principal), request),
      }),
    },
    listReturns: {
      access: allow.permission(RETURN_READ),
      handle: async (request) => {
        const { returns, nextPageToken } = await listReturns(orm.em.fork(), request);
        return { returns, page: { nextPageToken } };
      },
    },
    approveReturn: {
      access: staffWrite,
      handle: async (request, ctx) => ({
        return: await approveReturn(orm.em.fork(), settings, accountIdOf(ctx.principal), request),
      }),
    },
    rejectReturn: {
      access: staffWrite,
      handle: async (request, ctx) => ({
        return: await rejectReturn(orm.em.fork(), accountIdOf(ctx.principal), request),
      }),
    },
    receiveReturn: {
      access: staffWrite,
      handle: async (request, ctx) => ({
        return: await receiveReturn(orm.em.fork(), ports.stock, accountIdOf(ctx.principal), request),
      }),
    },
    refundReturn: {
      access: staffWrite,
      handle: async (request, ctx) => ({
        return: await refundReturn(
          orm.em.fork(),
          { orders: ports.orders, payments: ports.payments, refundShipping: settings.shippingRefund },
          accountIdOf(ctx.principal),
          request.returnId,
        ),
      }),
    },
    closeReturn: {
      access: staffWrite,
      handle: async (request, ctx) => ({
        return: await closeReturn(orm.em.fork(), accountIdOf(ctx.principal), request),
      }),
    },
  };
}
