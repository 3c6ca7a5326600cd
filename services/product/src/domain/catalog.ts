import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { alreadyExists, invalidArgument, notFound } from '../../../../lib/errors.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { requireMoney, type Money } from '../../../../lib/money.js';
import { Inventory } from '../entities/inventory.js';
import { Product } from '../entities/product.js';
import { ProductVariant } from '../entities/product-variant.js';
import { ProductCreatedEvent } from '../events.js';
import { requireSku, requireSlug, requireStock, requireText } from './validation.js';
import { loadProductView, loadProductViews, type ProductView } from './product-view.js';
import { isUuid } from '../../../../lib/ids.js';

export const DEFAULT_LOCATION = 'default';
const MAX_VARIANTS = 100;

export interface NewVariant {
  sku: string;
  name: string;
  price: Money | undefined;
  initialStock: number;
}

export interface NewProduct {
  sku: string;
  name: string;
  slug: string;
  description: string;
  price: Money | undefined;
  variants: NewVariant[];
}

interface ValidVariant {
  sku: string;
  name: string;
  price: Money;
  initialStock: number;
}

function validateVariants(input: NewProduct, price: Money): ValidVariant[] {
  if (input.variants.length > MAX_VARIANTS) {
    throw invalidArgument('variants', `must have at most ${MAX_VARIANTS} entries`);
  }
  // A product sold without options still has one variant: carts and stock always name a variant.
  const variants: NewVariant[] =
    input.variants.length > 0
      ? input.variants
      : [{ sku: input.sku, name: 'Default', price, initialStock: 0 }];
  const seen = new Set<string>();
  return variants.map((variant, i) => {
    const sku = requireSku(variant.sku, `variants[${i}].sku`);
    if (seen.has(sku)) throw invalidArgument(`variants[${i}].sku`, `repeats SKU ${sku}`);
    seen.add(sku);
    const variantPrice = variant.price ? requireMoney(variant.price, `variants[${i}].price`) : price;
    if (variantPrice.currencyCode !== price.currencyCode) {
      throw invalidArgument(
        `variants[${i}].price.currency_code`,
        `must be the product's currency ${price.currencyCode}`,
      );
    }
    return {
      sku,
      name: requireText(variant.name, `variants[${i}].name`, 200),
      price: variantPrice,
      initialStock: requireStock(variant.initialStock, `variants[${i}].initial_stock`),
    };
  });
}

/** Which unique rule a clash broke, from the constraint's name. */
function clashOf(error: UniqueConstraintViolationException, input: NewProduct): Error {
  const text = error.message;
  if (text.includes('slug')) return alreadyExists('product', `slug ${input.slug} is taken`);
  return alreadyExists(
    'product',
    `a SKU of this product is already used (${text.match(/\(sku\)=\(([^)]*)\)/)?.[1] ?? input.sku})`,
  );
}

/**
 * Creates a product with its variants and their opening stock, published at once, and emits
 * `product.product.created` in the same transaction.
 */
export async function createProduct(em: EntityManager, input: NewProduct): Promise<ProductView> {
  const sku = requireSku(input.sku, 'sku');
  const name = requireText(input.name, 'name', 300);
  const slug = requireSlug(input.slug, 'slug');
  const price = requireMoney(input.price, 'price');
  const variants = validateVariants(input, price);
  const description = input.description.trim();

  if ((await em.count(Product, { slug })) > 0) throw alreadyExists('product', `slug ${slug} is taken`);
  if ((await em.count(Product, { sku })) > 0) throw alreadyExists('product', `SKU ${sku} is taken`);

  try {
    return await em.transactional(async (tx) => {
      const product = tx.create(Product, {
        sku,
        name,
        slug,
        description,
        price: price.amountMinor,
        currency: price.currencyCode,
        status: 'active',
        isVisible: true,
        publishedAt: new Date(),
      });
      for (const variant of variants) {
        const row = tx.create(ProductVariant, {
          product,
          sku: variant.sku,
          name: variant.name,
          price: variant.price.amountMinor,
          currency: variant.price.currencyCode,
        });
        tx.create(Inventory, {
          product,
          variant: row,
          location: DEFAULT_LOCATION,
          quantity: variant.initialStock,
          reservedQuantity: 0,
        });
      }
      await tx.flush();
      const view = (await loadProductView(tx, { id: product.id }))!;
      await publishEvent(tx, 'product', ProductCreatedEvent, { product: view });
      return view;
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw clashOf(error, input);
    throw error;
  }
}

export async function getProduct(
  em: EntityManager,
  lookup: { id: string } | { slug: string },
  includeUnpublished: boolean,
): Promise<ProductView> {
  const view = await loadProductView(em, lookup);
  const what = 'id' in lookup ? lookup.id : lookup.slug;
  if (!view || (!includeUnpublished && !view.published)) throw notFound('product', what);
  return view;
}

export const MAX_BATCH_IDS = 100;

/**
 * The products with these ids that the caller may see, in the order of first mention, and the ids
 * that matched none of them. One query whatever the number of ids.
 */
export async function batchGetProducts(
  em: EntityManager,
  ids: readonly string[],
  includeUnpublished: boolean,
): Promise<{ products: ProductView[]; missingIds: string[] }> {
  if (ids.length === 0) throw invalidArgument('ids', 'give at least one product id');
  if (ids.length > MAX_BATCH_IDS) throw invalidArgument('ids', `must have at most ${MAX_BATCH_IDS} entries`);
  const wanted = ids.map((id, i) => {
    const trimmed = id.trim();
    if (!isUuid(trimmed)) throw invalidArgument(`ids[${i}]`, 'must be a UUID');
    return trimmed.toLowerCase();
  });
  const unique = [...new Set(wanted)];
  const found = new Map(
    (await loadProductViews(em, unique))
      .filter((view) => includeUnpublished || view.published)
      .map((view) => [view.id, view]),
  );
  return {
    products: unique.flatMap((id) => found.get(id) ?? []),
    missingIds: unique.filter((id) => !found.has(id)),
  };
}
