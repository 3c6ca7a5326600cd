import type { EntityManager } from '@mikro-orm/postgresql';
import { decimalToMinorUnits } from '../../../../lib/db/money-type.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { CartAbandonedEvent } from '../../../../lib/events/catalog.js';
import { toLine, type LineRecord } from './cart-store.js';

interface AbandonedRow {
  id: string;
  user_id: string | null;
  session_id: string | null;
  currency: string;
  coupon_code: string | null;
  subtotal: string;
  item_count: number;
  last_activity_at: Date | string;
  abandoned_at: Date | string;
}

const asDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

/**
 * One batch of the expiry job, in one transaction: up to `batchSize` active carts past their
 * expires_at are marked abandoned, and each announces `cart.cart.abandoned` through the outbox.
 * Carts another replica is sweeping are skipped (SKIP LOCKED) and the update re-checks the status,
 * so however many sweeps run at once or again, a cart is abandoned, and announced, once. Returns
 * how many carts this batch abandoned.
 */
export async function abandonIdleCartsBatch(em: EntityManager, batchSize: number): Promise<number> {
  return em.transactional(async (tx) => {
    const carts = await tx.execute<AbandonedRow[]>(
      `WITH idle AS (
         SELECT id, updated_at AS last_activity_at FROM carts
          WHERE status = 'active' AND expires_at <= now()
          ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED)
       UPDATE carts c SET status = 'abandoned', version = c.version + 1, updated_at = now()
         FROM idle WHERE c.id = idle.id AND c.status = 'active'
       RETURNING c.id, c.user_id, c.session_id, c.currency, c.coupon_code, c.subtotal::text AS subtotal,
                 c.item_count, idle.last_activity_at, c.updated_at AS abandoned_at`,
      [batchSize],
    );
    if (carts.length === 0) return 0;
    const lineRows = await tx.execute<Record<string, unknown>[]>(
      `SELECT cart_id, id, product_id, variant_id, product_name, product_sku, product_image_url,
              unit_price::text AS unit_price, quantity, created_at
         FROM cart_items WHERE cart_id = ANY(?::uuid[]) ORDER BY created_at, id`,
      [`{${carts.map((cart) => cart.id).join(',')}}`],
    );
    const linesOf = new Map<string, LineRecord[]>();
    for (const row of lineRows) {
      const cartId = String(row.cart_id);
      linesOf.set(cartId, [...(linesOf.get(cartId) ?? []), toLine(row)]);
    }
    for (const cart of carts) {
      const currencyCode = cart.currency;
      await publishEvent(tx, 'cart', CartAbandonedEvent, {
        cartId: cart.id,
        userId: cart.user_id ?? '',
        sessionId: cart.session_id ?? '',
        items: (linesOf.get(cart.id) ?? []).map((line) => ({
          productId: line.productId,
          variantId: line.variantId,
          productName: line.productName,
          productSku: line.productSku,
          productImageUrl: line.productImageUrl ?? '',
          quantity: line.quantity,
          unitPrice: { currencyCode, amountMinor: line.unitPrice },
        })),
        subtotal: { currencyCode, amountMinor: decimalToMinorUnits(cart.subtotal) },
        itemCount: Number(cart.item_count),
        couponCode: cart.coupon_code ?? '',
        lastActivityAt: asDate(cart.last_activity_at),
        abandonedAt: asDate(cart.abandoned_at),
      });
    }
    return carts.length;
  });
}

/** Runs batches until the idle carts are all abandoned; returns how many this call abandoned. */
export async function abandonIdleCarts(em: EntityManager, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const abandoned = await abandonIdleCartsBatch(em.fork(), batchSize);
    total += abandoned;
    if (abandoned < batchSize) return total;
  }
}
