import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Product } from '../../../gen/ecommerce/product/v1/product.js';
import { AppError } from '../../../lib/errors.js';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { addItem } from '../src/domain/carts.js';
import type { Catalog } from '../src/domain/catalog.js';
import { cartEntities } from '../src/entities/index.js';
import { cartMigrations } from '../src/migrations/index.js';

/** The catalog port answered from memory: this suite tests the cart's own rules and writes. */
function catalogOf(product: Product): Catalog {
  return {
    getProduct: async (id) => (id === product.id ? product : Promise.reject(new Error('unknown product'))),
  };
}

function tee(available: number): Product {
  return Product.fromPartial({
    id: newId(),
    sku: 'TEE',
    name: 'Plain tee',
    slug: 'plain-tee',
    description: '',
    price: { currencyCode: 'EUR', amountMinor: 1999 },
    status: 1,
    variants: [
      {
        id: newId(),
        sku: 'TEE-M',
        name: 'M',
        price: { currencyCode: 'EUR', amountMinor: 1999 },
        availableQuantity: available,
      },
    ],
    createdAt: new Date(),
    updatedAt: new Date(),
  });
}

async function failureOf(call: Promise<unknown>): Promise<AppError> {
  try {
    await call;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected the call to fail');
}

describe('cart service: AddItem writes', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openScratchDatabase('cart_add', { entities: cartEntities, migrations: cartMigrations });
  });
  after(async () => {
    await db?.drop();
  });

  const count = async (sql: string, params: unknown[] = []): Promise<number> => {
    const [row] = await db.orm.em
      .fork()
      .execute<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${sql}`, params);
    return row!.n;
  };

  it('leaves no cart behind when a first add is refused', async () => {
    const product = tee(1);
    const sessionId = `guest-${newId()}`;
    const line = { cartId: '', productId: product.id, variantId: product.variants[0]!.id, quantity: 2 };
    const failure = await failureOf(addItem(db.orm.em.fork(), catalogOf(product), { sessionId }, line));
    expect(failure.code).to.equal(status.FAILED_PRECONDITION);
    expect(await count('carts WHERE session_id = ?', [sessionId])).to.equal(0);
  });

  it('gives a customer one active cart however many first adds race', async () => {
    const product = tee(100);
    const userId = newId();
    const line = { cartId: '', productId: product.id, variantId: product.variants[0]!.id, quantity: 1 };
    const carts = await Promise.all(
      Array.from({ length: 8 }, () => addItem(db.orm.em.fork(), catalogOf(product), { userId }, line)),
    );
    expect(new Set(carts.map((cart) => cart.id)).size).to.equal(1);
    expect(await count('carts WHERE user_id = ?', [userId])).to.equal(1);
    const [cached] = await db.orm.em
      .fork()
      .execute<{ subtotal: string; item_count: number }[]>(
        'SELECT subtotal::text, item_count FROM carts WHERE user_id = ?',
        [userId],
      );
    expect(cached).to.deep.equal({ subtotal: '159.92', item_count: 8 });
  });
});
