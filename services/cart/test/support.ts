import { status } from '@grpc/grpc-js';
import {
  DiscountLevel,
  DiscountSourceKind,
  PriceCartResponse,
  type DiscountSource,
} from '../../../gen/ecommerce/discount/v1/discount.js';
import { Product, ProductStatus } from '../../../gen/ecommerce/product/v1/product.js';
import { DiscountReason } from '../../../lib/error-reasons.js';
import { AppError, failedPrecondition, notFound, unavailable } from '../../../lib/errors.js';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import type { CartDeps } from '../src/domain/cart-deps.js';
import type { Catalog } from '../src/domain/catalog.js';
import type { Discounts } from '../src/domain/discounts.js';
import { cartEntities } from '../src/entities/index.js';
import { cartMigrations } from '../src/migrations/index.js';
export { failureOf } from '../../../lib/testing/app-error.js';

/**
 * The catalog port answered from memory, as the product service would answer a shopper: unknown
 * and unpublished products are NOT_FOUND (absent from a batch); `down` makes every call UNAVAILABLE.
 * Counts calls, so tests can tell which operations needed the catalog.
 */
export class MemoryCatalog implements Catalog {
  readonly products = new Map<string, Product>();
  down = false;
  calls = { getProduct: 0, getProducts: 0 };

  add(product: Product): Product {
    this.products.set(product.id, product);
    return product;
  }

  private published(id: string): Product | undefined {
    const product = this.products.get(id);
    return product && product.status === ProductStatus.PRODUCT_STATUS_ACTIVE && product.visible
      ? structuredClone(product)
      : undefined;
  }

  async getProduct(id: string): Promise<Product> {
    this.calls.getProduct++;
    if (this.down) throw unavailable('product service unavailable');
    const product = this.published(id);
    if (!product) throw notFound('product', id);
    return product;
  }

  async getProducts(ids: readonly string[]): Promise<Map<string, Product>> {
    this.calls.getProducts++;
    if (this.down) throw unavailable('product service unavailable (circuit open)');
    return new Map(ids.flatMap((id) => (this.published(id) ? [[id, this.published(id)!]] : [])));
  }
}

/** A published product with one variant per entry of `stock`, priced `price` minor units. */
export function productWith(
  stock: number[],
  options: { price?: number; currency?: string; name?: string; categoryIds?: string[] } = {},
): Product {
  const price = { currencyCode: options.currency ?? 'EUR', amountMinor: options.price ?? 1999 };
  const tag = Math.random().toString(36).slice(2, 8).toUpperCase();
  return Product.fromPartial({
    id: newId(),
    sku: `TEE-${tag}`,
    name: options.name ?? 'Plain tee',
    slug: `plain-tee-${tag.toLowerCase()}`,
    price,
    categoryIds: options.categoryIds ?? [],
    status: ProductStatus.PRODUCT_STATUS_ACTIVE,
    visible: true,
    variants: stock.map((available, k) => ({
      id: newId(),
      sku: `TEE-${tag}-${k}`,
      name: `Size ${k}`,
      price,
      availableQuantity: available,
    })),
  });
}

export async function openCartDatabase(prefix: string): Promise<ScratchDatabase> {
  return openScratchDatabase(prefix, { entities: cartEntities, migrations: cartMigrations });
}

type CheckCoupon = Parameters<Discounts['checkCoupon']>[0];
type PriceCart = Parameters<Discounts['priceCart']>[0];
type MemoryCoupon = { id: string; name: string; percentOffBp: number } | { reason: string; message: string };

/**
 * The discount port answered from memory, as the discount service would answer the cart, with a
 * rule small enough to check by hand: a promotion of a category takes its percentage off every
 * line of that category (a line promotion); an accepted coupon then takes its percentage off what
 * is left of every line (an order discount, each line's share rounded down); a refused coupon
 * carries its reason (in the pricing, as a refusal). `down` makes every call UNAVAILABLE. Keeps
 * every request, so tests can tell what the cart sent.
 */
export class MemoryDiscounts implements Discounts {
  /** By upper-case code. */
  readonly coupons = new Map<string, MemoryCoupon>();
  /** By category id. */
  readonly promotions = new Map<string, { id: string; name: string; percentOffBp: number }>();
  down = false;
  readonly requests = { checkCoupon: [] as CheckCoupon[], priceCart: [] as PriceCart[] };

  private couponOf(code: string): MemoryCoupon {
    const coupon = this.coupons.get(code);
    if (!coupon)
      throw new AppError(status.NOT_FOUND, `coupon ${code} not found`, undefined, {
        reason: DiscountReason.COUPON_NOT_FOUND,
        metadata: { code },
      });
    return coupon;
  }

  async checkCoupon(request: CheckCoupon): Promise<void> {
    this.requests.checkCoupon.push(request);
    if (this.down) throw unavailable('discount service unavailable');
    const coupon = this.couponOf(request.code);
    if ('reason' in coupon) throw failedPrecondition(coupon.message, coupon.reason, { code: request.code });
  }

  async priceCart(request: PriceCart): Promise<PriceCartResponse> {
    this.requests.priceCart.push(request);
    if (this.down) throw unavailable('discount service unavailable (circuit open)');
    const money = (amountMinor: number) => ({ currencyCode: request.currency, amountMinor });
    const promotion = (id: string, name: string): DiscountSource => ({
      kind: DiscountSourceKind.DISCOUNT_SOURCE_KIND_PROMOTION,
      id,
      name,
      code: '',
    });
    const answer = PriceCartResponse.fromPartial({ currencyCode: request.currency });
    let lineDiscount = 0;
    const lines = request.lines.map((line) => {
      const subtotal = line.unitPrice * line.quantity;
      const found = line.categoryIds.map((id) => this.promotions.get(id)).find(Boolean);
      const off = found ? Math.floor((subtotal * found.percentOffBp) / 10_000) : 0;
      lineDiscount += off;
      const adjustments =
        found && off > 0
          ? [
              {
                source: promotion(found.id, found.name),
                level: DiscountLevel.DISCOUNT_LEVEL_LINE,
                amount: money(off),
              },
            ]
          : [];
      if (found && off > 0)
        answer.applied.push({
          source: promotion(found.id, found.name),
          level: DiscountLevel.DISCOUNT_LEVEL_LINE,
          amount: money(off),
          explanation: `${found.name}: ${found.percentOffBp / 100} % off`,
        });
      return { line, subtotal, left: subtotal - off, adjustments };
    });
    let orderDiscount = 0;
    if (request.couponCode !== null) {
      let coupon: MemoryCoupon | undefined;
      try {
        coupon = this.couponOf(request.couponCode);
      } catch {
        coupon = { reason: DiscountReason.COUPON_NOT_FOUND, message: 'No coupon has this code.' };
      }
      if ('reason' in coupon) {
        answer.coupon = {
          code: request.couponCode,
          applied: false,
          source: undefined,
          discount: money(0),
          refusal: { reason: coupon.reason, message: coupon.message },
        };
      } else {
        const source = {
          kind: DiscountSourceKind.DISCOUNT_SOURCE_KIND_COUPON,
          id: coupon.id,
          name: coupon.name,
          code: request.couponCode,
        };
        const shares = lines.map((priced) => {
          const share = Math.floor((priced.left * coupon.percentOffBp) / 10_000);
          if (share > 0)
            priced.adjustments.push({
              source,
              level: DiscountLevel.DISCOUNT_LEVEL_ORDER,
              amount: money(share),
            });
          return { lineId: priced.line.itemId, amount: money(share) };
        });
        orderDiscount = shares.reduce((sum, share) => sum + share.amount.amountMinor, 0);
        answer.orderDiscounts.push({
          source,
          amount: money(orderDiscount),
          allocations: shares.filter((share) => share.amount.amountMinor > 0),
        });
        answer.applied.push({
          source,
          level: DiscountLevel.DISCOUNT_LEVEL_ORDER,
          amount: money(orderDiscount),
          explanation: `${coupon.name}: ${coupon.percentOffBp / 100} % off`,
        });
        answer.coupon = {
          code: request.couponCode,
          applied: true,
          source,
          discount: money(orderDiscount),
          refusal: undefined,
        };
      }
    }
    answer.lines = lines.map(({ line, subtotal, adjustments }) => {
      const discount = adjustments.reduce((sum, adjustment) => sum + adjustment.amount.amountMinor, 0);
      return {
        lineId: line.itemId,
        subtotal: money(subtotal),
        adjustments,
        discount: money(discount),
        total: money(subtotal - discount),
      };
    });
    const subtotal = lines.reduce((sum, priced) => sum + priced.subtotal, 0);
    answer.totals = {
      subtotal: money(subtotal),
      lineDiscount: money(lineDiscount),
      orderDiscount: money(orderDiscount),
      discountedSubtotal: money(subtotal - lineDiscount - orderDiscount),
      shipping: money(0),
      shippingDiscount: money(0),
      shippingTotal: money(0),
      discount: money(lineDiscount + orderDiscount),
      total: money(subtotal - lineDiscount - orderDiscount),
    };
    return answer;
  }
}

/** Discounts that accept these coupon codes (upper-case), each giving 10 % off. */
export function discountsAccepting(...codes: string[]): MemoryDiscounts {
  const discounts = new MemoryDiscounts();
  for (const code of codes) discounts.coupons.set(code, { id: newId(), name: code, percentOffBp: 1000 });
  return discounts;
}

export function depsWith(
  catalog: Catalog,
  idleExpiryMs = 7 * 86_400_000,
  discounts: Discounts = new MemoryDiscounts(),
): CartDeps {
  return { catalog, discounts, idleExpiryMs };
}

/** A guest session id in the accepted format, unique per call. */
export function newSessionId(): string {
  return `guest-${newId()}`;
}

/** A whole-number count from SQL. */
export async function countOf(db: ScratchDatabase, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await db.orm.em
    .fork()
    .execute<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return row!.n;
}
