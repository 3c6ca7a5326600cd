import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { CreateProductRequest } from '../gen/ecommerce/product/v1/product.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { clientsFor, eventually, failureOf } from './support/clients.js';
import { uniqueEmail } from './support/unique.js';

const STRONG_PASSWORD = 'correct-horse-42';

function uniqueSlug(): string {
  return `tee-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Signs a token like the auth service does, with whatever key we are given. */
async function signToken(
  key: JWK,
  kid: string,
  claims: { sub: string; expiresInSeconds: number },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: 'x@example.com', roles: ['customer'], perms: [] })
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setSubject(claims.sub)
    .setIssuer('ecommerce-auth')
    .setAudience('ecommerce')
    .setIssuedAt(now - 3600)
    .setExpirationTime(now + claims.expiresInSeconds)
    .sign(await importJWK(key, 'EdDSA'));
}

describe('walking skeleton: register → event → profile, catalog, cart through the breaker', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let api: ReturnType<typeof clientsFor>;
  let adminToken: string;

  before(async () => {
    mesh = await startTestMesh(['auth', 'user', 'product', 'cart']);
    api = clientsFor((name) => mesh.address(name));
    adminToken = (await api.auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
  });
  after(async () => {
    for (const client of Object.values(api ?? {})) client.close();
    await mesh?.stop();
  });

  async function registerAndLogin(tag: string): Promise<{ userId: string; email: string; token: string }> {
    const email = uniqueEmail(tag);
    const { userId } = await api.auth.register({
      email,
      password: STRONG_PASSWORD,
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    const { accessToken } = await api.auth.login({ email, password: STRONG_PASSWORD });
    return { userId, email, token: accessToken };
  }

  async function createProduct(stock: number) {
    const sku = `SKU-${Math.random().toString(36).slice(2, 10)}`;
    const { product } = await api.product.createProduct(
      CreateProductRequest.fromPartial({
        sku,
        name: 'Plain tee',
        slug: uniqueSlug(),
        description: 'A cotton tee',
        price: { currencyCode: 'EUR', amountMinor: 1999 },
        variants: [{ sku: `${sku}-M`, name: 'Medium', price: undefined, initialStock: stock }],
      }),
      { token: adminToken },
    );
    return product!;
  }

  describe('identity', () => {
    it('creates the profile from the registration event, readable only by its owner', async () => {
      const alice = await registerAndLogin('alice');
      const profile = await eventually(
        async () => (await api.user.getMyProfile({}, { token: alice.token })).profile,
        { timeoutMs: 15_000 },
      );
      expect(profile).to.include({
        userId: alice.userId,
        email: alice.email,
        firstName: 'Ada',
        lastName: 'Lovelace',
      });

      const bob = await registerAndLogin('bob');
      const bobs = await eventually(
        async () => (await api.user.getMyProfile({}, { token: bob.token })).profile,
      );
      expect(bobs.userId).to.equal(bob.userId);
    });

    it('answers ALREADY_EXISTS to a second registration of one email, whatever its case', async () => {
      const email = uniqueEmail('dup');
      await api.auth.register({ email, password: STRONG_PASSWORD, firstName: 'A', lastName: 'B' });
      const failure = await failureOf(
        api.auth.register({
          email: email.toUpperCase(),
          password: STRONG_PASSWORD,
          firstName: 'A',
          lastName: 'B',
        }),
      );
      expect(failure.code).to.equal(status.ALREADY_EXISTS);
      expect(failure.details).to.contain(email);
    });

    it('lets exactly one of ten simultaneous registrations of one email through', async () => {
      const email = uniqueEmail('race');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, () =>
          api.auth.register({ email, password: STRONG_PASSWORD, firstName: 'A', lastName: 'B' }),
        ),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as { code: number }] : []));
      expect(won).to.have.length(1);
      expect(lost.map((f) => f.code)).to.deep.equal(Array(9).fill(status.ALREADY_EXISTS));
    });

    it('answers INVALID_ARGUMENT naming the field for a bad email or a weak password, and creates nothing', async () => {
      const badEmail = await failureOf(
        api.auth.register({
          email: 'not-an-email',
          password: STRONG_PASSWORD,
          firstName: 'A',
          lastName: 'B',
        }),
      );
      expect(badEmail.code).to.equal(status.INVALID_ARGUMENT);
      expect(badEmail.violations).to.deep.equal([
        { field: 'email', description: 'must be a valid email address' },
      ]);

      const email = uniqueEmail('weak');
      const weak = await failureOf(
        api.auth.register({ email, password: 'short1', firstName: 'A', lastName: 'B' }),
      );
      expect(weak.code).to.equal(status.INVALID_ARGUMENT);
      expect(weak.violations[0]?.field).to.equal('password');
      expect(weak.details).to.match(/^password: must be at least 10 characters/);
      // Nothing was created: the same email registers fine afterwards.
      await api.auth.register({ email, password: STRONG_PASSWORD, firstName: 'A', lastName: 'B' });
    });

    it('answers UNAUTHENTICATED to a wrong password, without saying whether the email exists', async () => {
      const alice = await registerAndLogin('wrongpw');
      const wrong = await failureOf(api.auth.login({ email: alice.email, password: 'not-the-password-1' }));
      const unknown = await failureOf(
        api.auth.login({ email: uniqueEmail('nobody'), password: 'whatever-123' }),
      );
      expect(wrong.code).to.equal(status.UNAUTHENTICATED);
      expect(unknown.code).to.equal(status.UNAUTHENTICATED);
      expect(wrong.details).to.equal(unknown.details);
    });

    it('locks an account after five wrong passwords: even the right one is refused, with the same answer', async () => {
      const victim = await registerAndLogin('lockout');
      for (let i = 0; i < 5; i++) {
        await failureOf(api.auth.login({ email: victim.email, password: `wrong-password-${i}` }));
      }
      const locked = await failureOf(api.auth.login({ email: victim.email, password: STRONG_PASSWORD }));
      const unknown = await failureOf(
        api.auth.login({ email: uniqueEmail('ghost'), password: STRONG_PASSWORD }),
      );
      expect(locked.code).to.equal(status.UNAUTHENTICATED);
      expect(locked.details).to.equal(unknown.details);
    });

    it('rejects a token signed by another key, an expired token and a missing one with UNAUTHENTICATED', async () => {
      const alice = await registerAndLogin('tokens');
      await eventually(async () => (await api.user.getMyProfile({}, { token: alice.token })).profile, {
        timeoutMs: 15_000,
      });

      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const foreign = await signToken(await exportJWK(privateKey), 'foreign-key', {
        sub: alice.userId,
        expiresInSeconds: 600,
      });
      const foreignFailure = await failureOf(api.user.getMyProfile({}, { token: foreign }));
      expect(foreignFailure.code).to.equal(status.UNAUTHENTICATED);

      // The real signing key (the development key the auth service keeps in its data folder).
      const [devKey] = JSON.parse(readFileSync(join(mesh.dataDir, 'auth-dev-signing-key.json'), 'utf8')) as [
        JWK,
      ];
      const expired = await signToken(devKey, devKey.kid!, { sub: alice.userId, expiresInSeconds: -60 });
      const expiredFailure = await failureOf(api.user.getMyProfile({}, { token: expired }));
      expect(expiredFailure.code).to.equal(status.UNAUTHENTICATED);
      expect(expiredFailure.details).to.match(/expired/);

      const stillValid = await signToken(devKey, devKey.kid!, { sub: alice.userId, expiresInSeconds: 600 });
      expect((await api.user.getMyProfile({}, { token: stillValid })).profile?.userId).to.equal(alice.userId);

      const missing = await failureOf(api.user.getMyProfile({}));
      expect(missing.code).to.equal(status.UNAUTHENTICATED);
    });
  });

  describe('catalog', () => {
    it('lets an admin create a product that anyone can read, and refuses a customer with PERMISSION_DENIED', async () => {
      const product = await createProduct(5);
      const { product: read } = await api.product.getProduct({ lookup: { $case: 'id', value: product.id } });
      expect(read).to.deep.include({ id: product.id, sku: product.sku, name: 'Plain tee' });
      expect(Math.abs(read!.createdAt!.getTime() - Date.now())).to.be.lessThan(5 * 60_000);
      expect(read!.variants[0]).to.deep.include({
        availableQuantity: 5,
        price: { currencyCode: 'EUR', amountMinor: 1999 },
      });

      const customer = await registerAndLogin('shopper');
      const denied = await failureOf(
        api.product.createProduct(
          CreateProductRequest.fromPartial({
            sku: 'X-1',
            name: 'x',
            slug: uniqueSlug(),
            description: '',
            price: { currencyCode: 'EUR', amountMinor: 1 },
            variants: [],
          }),
          { token: customer.token },
        ),
      );
      expect(denied.code).to.equal(status.PERMISSION_DENIED);
    });

    it('answers ALREADY_EXISTS naming the slug that clashes, and NOT_FOUND for an unknown product', async () => {
      const product = await createProduct(1);
      const clash = await failureOf(
        api.product.createProduct(
          CreateProductRequest.fromPartial({
            sku: 'OTHER-1',
            name: 'x',
            slug: product.slug,
            description: '',
            price: { currencyCode: 'EUR', amountMinor: 1 },
            variants: [],
          }),
          { token: adminToken },
        ),
      );
      expect(clash.code).to.equal(status.ALREADY_EXISTS);
      expect(clash.details).to.contain(product.slug);

      const missing = await failureOf(
        api.product.getProduct({ lookup: { $case: 'id', value: '0190f3a0-0000-7000-8000-000000000000' } }),
      );
      expect(missing.code).to.equal(status.NOT_FOUND);
    });
  });

  describe('cart', () => {
    const sessionId = `guest-session-${Date.now()}`;

    it('adds items checked against the product service, and refuses more than is in stock', async () => {
      const product = await createProduct(3);
      const variant = product.variants[0]!;
      const { cart } = await api.cart.addItem({
        cartId: '',
        sessionId,
        productId: product.id,
        variantId: variant.id,
        quantity: 2,
      });
      expect(cart!.items).to.have.length(1);
      expect(cart!.items[0]).to.deep.include({
        quantity: 2,
        productName: 'Plain tee',
        unitPrice: { currencyCode: 'EUR', amountMinor: 1999 },
      });
      expect(cart!.subtotal).to.deep.equal({ currencyCode: 'EUR', amountMinor: 3998 });

      const tooMany = await failureOf(
        api.cart.addItem({
          cartId: cart!.id,
          sessionId,
          productId: product.id,
          variantId: variant.id,
          quantity: 2,
        }),
      );
      expect(tooMany.code).to.equal(status.FAILED_PRECONDITION);
      const { cart: unchanged } = await api.cart.getCart({ cartId: cart!.id, sessionId });
      expect(unchanged!.items[0]!.quantity).to.equal(2);

      const otherGuest = await failureOf(
        api.cart.getCart({ cartId: cart!.id, sessionId: `${sessionId}-other` }),
      );
      expect(otherGuest.code).to.equal(status.NOT_FOUND);
    });

    it('adds up simultaneous additions of one variant to one cart without losing any', async () => {
      const product = await createProduct(50);
      const variantId = product.variants[0]!.id;
      const { cart } = await api.cart.addItem({
        cartId: '',
        sessionId,
        productId: product.id,
        variantId,
        quantity: 1,
      });
      await Promise.all(
        Array.from({ length: 12 }, () =>
          api.cart.addItem({ cartId: cart!.id, sessionId, productId: product.id, variantId, quantity: 2 }),
        ),
      );
      const { cart: after } = await api.cart.getCart({ cartId: cart!.id, sessionId });
      expect(after!.items).to.have.length(1);
      expect(after!.items[0]!.quantity).to.equal(25);
    });

    it('answers INVALID_ARGUMENT naming the field for a bad cart request, and changes nothing', async () => {
      const product = await createProduct(5);
      const variantId = product.variants[0]!.id;
      const base = { cartId: '', sessionId, productId: product.id, variantId, quantity: 1 };
      const cases: [typeof base, string][] = [
        [{ ...base, quantity: 0 }, 'quantity'],
        [{ ...base, productId: 'not-a-uuid' }, 'product_id'],
        [{ ...base, variantId: '0190f3a0-0000-7000-8000-000000000000' }, 'variant_id'],
        [{ ...base, sessionId: 'short' }, 'session_id'],
      ];
      for (const [request, field] of cases) {
        const failure = await failureOf(api.cart.addItem(request));
        expect(failure.code, field).to.equal(status.INVALID_ARGUMENT);
        expect(failure.violations[0]?.field).to.equal(field);
      }
    });

    it('answers UNAVAILABLE fast while the product service is down, opens the breaker, and recovers', async () => {
      const product = await createProduct(10);
      const line = {
        cartId: '',
        sessionId,
        productId: product.id,
        variantId: product.variants[0]!.id,
        quantity: 1,
      };
      await mesh.stopService('product');
      try {
        const failures = [];
        for (let i = 0; i < 6; i++) failures.push(await failureOf(api.cart.addItem(line)));
        expect(failures.every((f) => f.code === status.UNAVAILABLE)).to.equal(true);
        // Once open, the breaker answers without trying the network at all.
        expect(failures.at(-1)!.details).to.match(/circuit open/);
      } finally {
        await mesh.startService('product');
      }
      const { cart } = await eventually(() => api.cart.addItem(line), {
        timeoutMs: 20_000,
        intervalMs: 250,
        what: 'cart to recover',
      });
      expect(cart!.items.length).to.be.greaterThan(0);
    });
  });
});
