import { status } from '@grpc/grpc-js';
import { CommonReason } from '../../../../lib/error-reasons.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  MergeOutcome,
  type MergedLine,
  type MergeCartsResponse,
} from '../../../../gen/ecommerce/cart/v1/cart.js';
import type { Product } from '../../../../gen/ecommerce/product/v1/product.js';
import { AppError } from '../../../../lib/errors.js';
import { cartMessage } from './cart-view.js';
import { expiryFrom, type CartDeps } from './cart-deps.js';
import {
  insertActiveCart,
  insertLine,
  lockActiveCartOf,
  lockActiveCartsOf,
  markMerged,
  productIdsInActiveCarts,
  readCart,
  readLines,
  saveCart,
  updateLine,
  type CartRecord,
  type LineRecord,
} from './cart-store.js';
import {
  MAX_CART_LINES,
  MAX_CART_SUBTOTAL,
  MAX_CART_UNITS,
  MAX_LINE_QUANTITY,
  subtotalOf,
} from './limits.js';
import { offerOf } from './offer.js';

/** How many units of a guest line fit, and which limit decided it. */
function fit(
  requested: number,
  existing: LineRecord | undefined,
  offer: { available: number; unitPrice: number },
  lines: readonly LineRecord[],
): { quantity: number; outcome: MergeOutcome } {
  const have = existing?.quantity ?? 0;
  const unitsElsewhere = lines.reduce((sum, line) => sum + line.quantity, 0) - have;
  const subtotalElsewhere = subtotalOf(lines.filter((line) => line !== existing));
  const byCartSize = existing || lines.length < MAX_CART_LINES ? MAX_CART_UNITS - unitsElsewhere : 0;
  const bySubtotal =
    offer.unitPrice > 0 ? Math.floor((MAX_CART_SUBTOTAL - subtotalElsewhere) / offer.unitPrice) : Infinity;
  const limits: [number, MergeOutcome][] = [
    [MAX_LINE_QUANTITY, MergeOutcome.MERGE_OUTCOME_LIMITED_BY_LINE_MAXIMUM],
    [offer.available, MergeOutcome.MERGE_OUTCOME_LIMITED_BY_STOCK],
    [Math.min(byCartSize, bySubtotal), MergeOutcome.MERGE_OUTCOME_LIMITED_BY_CART_MAXIMUM],
  ];
  let quantity = requested;
  let outcome = MergeOutcome.MERGE_OUTCOME_MERGED;
  for (const [limit, reason] of limits) {
    if (limit < quantity) {
      quantity = limit;
      outcome = reason;
    }
  }
  // A merge never lowers what the customer's own line already held.
  return { quantity: Math.max(quantity, have), outcome };
}

/**
 * Moves the active carts of a guest session into the customer's active cart (created when needed),
 * line by line: quantities of one variant add up within the line, cart and stock limits; what the
 * catalog no longer sells, or what is priced in another currency than the customer's non-empty
 * cart, is dropped. Each guest line is reported. The guest carts end `merged`, naming the customer
 * cart. The catalog is asked once, before the transaction; in it the guest carts, then the customer
 * cart, are locked, so a second merge at the same time finds nothing left to merge.
 */
export async function mergeCarts(
  em: EntityManager,
  deps: CartDeps,
  userId: string,
  sessionId: string,
): Promise<MergeCartsResponse> {
  const guest = { sessionId };
  const customer = { userId };
  const productIds = await productIdsInActiveCarts(em, guest);
  const products: Map<string, Product> =
    productIds.length > 0 ? await deps.catalog.getProducts(productIds) : new Map();
  const asked = new Set(productIds);

  return em.transactional(async (tx) => {
    const guestCarts = await lockActiveCartsOf(tx, guest);
    if (guestCarts.length === 0) {
      const current = await readCart(tx, { activeOf: customer });
      return {
        cart: current && cartMessage(current.cart, current.lines),
        mergedCartIds: [],
        lines: [],
      };
    }
    const guestLines = new Map<CartRecord, LineRecord[]>();
    for (const cart of guestCarts) {
      const lines = await readLines(tx, cart.id);
      if (lines.some((line) => !asked.has(line.productId))) {
        throw new AppError(
          status.ABORTED,
          'the guest cart changed while it was being merged; retry',
          undefined,
          {
            reason: CommonReason.CONCURRENT_UPDATE,
          },
        );
      }
      guestLines.set(cart, lines);
    }

    const expiresAt = expiryFrom(deps.idleExpiryMs);
    const firstFilled = guestCarts.find((cart) => guestLines.get(cart)!.length > 0) ?? guestCarts[0]!;
    const target =
      (await lockActiveCartOf(tx, customer)) ??
      (await insertActiveCart(tx, customer, firstFilled.currency, expiresAt)) ??
      (await lockActiveCartOf(tx, customer))!;
    let lines = await readLines(tx, target.id);
    if (lines.length === 0) target.currency = firstFilled.currency;
    target.couponCode ??= guestCarts.find((cart) => cart.couponCode)?.couponCode ?? null;

    const report: MergedLine[] = [];
    for (const [guestCart, guestCartLines] of guestLines) {
      for (const guestLine of guestCartLines) {
        const existing = lines.find((line) => line.variantId === guestLine.variantId);
        const have = existing?.quantity ?? 0;
        const entry = {
          productId: guestLine.productId,
          variantId: guestLine.variantId,
          guestQuantity: guestLine.quantity,
          requestedQuantity: have + guestLine.quantity,
        };
        const offer = offerOf(products.get(guestLine.productId), guestLine.variantId);
        if (!offer) {
          report.push({ ...entry, quantity: have, outcome: MergeOutcome.MERGE_OUTCOME_DROPPED_UNAVAILABLE });
          continue;
        }
        if (guestCart.currency !== target.currency || offer.price.currencyCode !== target.currency) {
          report.push({ ...entry, quantity: have, outcome: MergeOutcome.MERGE_OUTCOME_DROPPED_CURRENCY });
          continue;
        }
        const { quantity, outcome } = fit(
          entry.requestedQuantity,
          existing,
          { available: offer.available, unitPrice: offer.snapshot.unitPrice },
          lines,
        );
        report.push({ ...entry, quantity, outcome });
        if (quantity === have) continue;
        if (existing) {
          const updated = await updateLine(tx, existing, quantity, offer.snapshot);
          lines = lines.map((line) => (line === existing ? updated : line));
        } else {
          lines = [...lines, await insertLine(tx, target, offer.snapshot, quantity)];
        }
      }
    }
    await markMerged(
      tx,
      guestCarts.map((cart) => cart.id),
      target.id,
    );
    return {
      cart: cartMessage(await saveCart(tx, target, lines, expiresAt), lines),
      mergedCartIds: guestCarts.map((cart) => cart.id),
      lines: report,
    };
  });
}
