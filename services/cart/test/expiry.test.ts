import { expect } from 'chai';
import { CartAbandoned } from '../../../gen/ecommerce/cart/v1/events.js';
import { decodeEnvelope } from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { ConfigError } from '../../../lib/config/index.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { abandonIdleCarts, abandonIdleCartsBatch } from '../src/domain/abandon-idle-carts.js';
import { addItem } from '../src/domain/add-item.js';
import { applyCoupon } from '../src/domain/coupons.js';
import { startExpiryJob } from '../src/jobs/expiry-job.js';
import { cartSettingsFrom } from '../src/settings.js';
import { eventually } from '../../../lib/testing/eventually.js';
import { quietLogger } from '../../../lib/testing/quiet-logger.js';
import {
  depsWith,
  discountsAccepting,
  MemoryCatalog,
  newSessionId,
  openCartDatabase,
  productWith,
} from './support.js';

describe('cart service: idle carts expire', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  const catalog = new MemoryCatalog();
  const deps = depsWith(catalog, undefined, discountsAccepting('COMEBACK'));
  const em = () => db.orm.em.fork();

  beforeEach(async () => {
    db = await openCartDatabase('cart_expiry');
  });
  afterEach(async () => {
    await db?.drop();
  });

  async function idleCarts(count: number) {
    const product = catalog.add(productWith([1000], { price: 250 }));
    const carts = [];
    for (let k = 0; k < count; k++) {
      const owner = k % 2 === 0 ? { userId: newId() } : { sessionId: newSessionId() };
      carts.push(
        await addItem(em(), deps, owner, {
          cartId: '',
          productId: product.id,
          variantId: product.variants[0]!.id,
          quantity: 2,
        }),
      );
    }
    await em().execute(
      `UPDATE carts SET expires_at = now() - interval '1 minute' WHERE id = ANY(?::uuid[])`,
      [`{${carts.map((c) => c.id).join(',')}}`],
    );
    return { product, carts };
  }

  async function abandonedEvents(): Promise<CartAbandoned[]> {
    const rows = await em().execute<{ envelope: Uint8Array }[]>(
      `SELECT envelope FROM infra.outbox WHERE subject = 'cart.cart.abandoned' ORDER BY id`,
    );
    return rows.map((row) => CartAbandoned.decode(decodeEnvelope(row.envelope).payload));
  }

  it('marks carts past their expiry abandoned, leaves fresh ones, and announces what a reminder needs', async () => {
    const { product, carts } = await idleCarts(1);
    const idle = carts[0]!;
    await applyCoupon(em(), deps, { userId: idle.userId }, { cartId: idle.id, couponCode: 'COMEBACK' });
    await em().execute(`UPDATE carts SET expires_at = now() - interval '1 minute' WHERE id = ?`, [idle.id]);
    const fresh = await addItem(
      em(),
      deps,
      { userId: newId() },
      {
        cartId: '',
        productId: product.id,
        variantId: product.variants[0]!.id,
        quantity: 1,
      },
    );

    expect(await abandonIdleCarts(em(), 100)).to.equal(1);
    const statuses = await em().execute<{ id: string; status: string }[]>(
      'SELECT id, status FROM carts WHERE id IN (?, ?)',
      [idle.id, fresh.id],
    );
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).to.deep.equal({
      [idle.id]: 'abandoned',
      [fresh.id]: 'active',
    });
    const [event] = await abandonedEvents();
    expect(event).to.deep.include({
      cartId: idle.id,
      userId: idle.userId,
      sessionId: '',
      itemCount: 2,
      couponCode: 'COMEBACK',
      subtotal: { currencyCode: 'EUR', amountMinor: 500 },
    });
    expect(event!.items).to.deep.equal([
      {
        productId: product.id,
        variantId: product.variants[0]!.id,
        productName: 'Plain tee',
        productSku: product.variants[0]!.sku,
        productImageUrl: '',
        quantity: 2,
        unitPrice: { currencyCode: 'EUR', amountMinor: 250 },
      },
    ]);
    expect(event!.abandonedAt!.getTime()).to.be.at.least(event!.lastActivityAt!.getTime());
  });

  it('works in bounded batches', async () => {
    await idleCarts(5);
    expect(await abandonIdleCartsBatch(em(), 2)).to.equal(2);
    expect(await abandonIdleCarts(em(), 2)).to.equal(3);
    expect(await abandonedEvents()).to.have.length(5);
  });

  it('announces each cart once however many sweeps run, one after another or at once', async () => {
    const { carts } = await idleCarts(12);
    const counts = await Promise.all(Array.from({ length: 4 }, () => abandonIdleCarts(em(), 3)));
    expect(counts.reduce((a, b) => a + b, 0)).to.equal(12);
    expect(await abandonIdleCarts(em(), 3)).to.equal(0);
    const events = await abandonedEvents();
    expect(events.map((e) => e.cartId).sort()).to.deep.equal(carts.map((c) => c.id).sort());
  });

  it('runs as a background job of the module until stopped', async () => {
    const { carts } = await idleCarts(3);
    const job = startExpiryJob(
      db.orm,
      { idleExpiryMs: 60_000, sweepIntervalMs: 100, sweepBatchSize: 2 },
      quietLogger(),
    );
    try {
      await eventually(async () => {
        const events = await abandonedEvents();
        if (events.length < carts.length) throw new Error(`${events.length} of ${carts.length} announced`);
        return true;
      });
    } finally {
      await job.stop();
    }
  });

  it('reads CART_IDLE_EXPIRY as a duration, 7 days by default, naming the setting when malformed', () => {
    expect(cartSettingsFrom({}).idleExpiryMs).to.equal(7 * 86_400_000);
    expect(cartSettingsFrom({ CART_IDLE_EXPIRY: '90m' }).idleExpiryMs).to.equal(90 * 60_000);
    expect(cartSettingsFrom({ CART_IDLE_EXPIRY: '2d' }).idleExpiryMs).to.equal(2 * 86_400_000);
    for (const bad of ['7', '7 days', '30s', '400d']) {
      expect(() => cartSettingsFrom({ CART_IDLE_EXPIRY: bad }))
        .to.throw(ConfigError)
        .with.property('setting', 'CART_IDLE_EXPIRY');
    }
  });

  it('pushes a cart expiry back to now + the idle time on every change', async () => {
    const product = catalog.add(productWith([10]));
    const cart = await addItem(
      em(),
      depsWith(catalog, 3_600_000),
      { sessionId: newSessionId() },
      {
        cartId: '',
        productId: product.id,
        variantId: product.variants[0]!.id,
        quantity: 1,
      },
    );
    expect(Math.abs(cart.expiresAt!.getTime() - (Date.now() + 3_600_000))).to.be.lessThan(60_000);
  });
});
