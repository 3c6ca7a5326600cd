import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { AuthServiceClient } from '../gen/ecommerce/auth/v1/auth.js';
import type { Address as PostalAddress } from '../gen/ecommerce/common/v1/address.js';
import { PaymentServiceClient } from '../gen/ecommerce/payment/v1/payment.js';
import {
  CreateProductRequest,
  ProductServiceClient,
  UpdateProductRequest,
} from '../gen/ecommerce/product/v1/product.js';
import {
  AddressType,
  UserServiceClient,
  WishlistProductStatus,
  type AddPaymentMethodRequest,
} from '../gen/ecommerce/user/v1/user.js';
import { newId } from '../lib/ids.js';
import { eventually, failureOf, plainClient } from './support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { internalToken } from './support/tokens.js';

const PASSWORD = 'correct-horse-42';

function postal(overrides: Partial<PostalAddress> = {}): PostalAddress {
  return {
    firstName: 'Ada',
    lastName: 'Lovelace',
    company: '',
    line1: '1 Main St',
    line2: '',
    city: 'Springfield',
    state: 'IL',
    postalCode: '62701',
    country: 'US',
    phone: '',
    ...overrides,
  };
}

function card(overrides: Partial<AddPaymentMethodRequest> = {}): AddPaymentMethodRequest {
  return {
    providerToken: `pm_${newId().replace(/-/g, '')}`,
    provider: 'stripe',
    brand: 'visa',
    last4: '4242',
    expiryMonth: 12,
    expiryYear: 2031,
    cardholderName: '',
    billingAddressId: '',
    setDefault: false,
    idempotencyKey: `key-${newId()}`,
    ...overrides,
  };
}

describe('user service over gRPC: every RPC, its owner only', function () {
  this.timeout(180_000);
  let mesh: TestMesh;
  let auth: ReturnType<typeof plainClient<typeof AuthServiceClient.service>>;
  let user: ReturnType<typeof plainClient<typeof UserServiceClient.service>>;
  let product: ReturnType<typeof plainClient<typeof ProductServiceClient.service>>;
  let payment: ReturnType<typeof plainClient<typeof PaymentServiceClient.service>>;
  let adminToken: string;
  let alice: { userId: string; token: string };
  let bob: { userId: string; token: string };

  async function customer(tag: string): Promise<{ userId: string; token: string }> {
    const email = `${tag}-${newId()}@example.com`;
    const { userId } = await auth.register({
      email,
      password: PASSWORD,
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    const { accessToken } = await auth.login({ email, password: PASSWORD });
    await eventually(() => user.getMyProfile({}, { token: accessToken }), { timeoutMs: 15_000 });
    return { userId, token: accessToken };
  }

  async function newProduct(): Promise<string> {
    const sku = `SKU-${newId().slice(-12)}`;
    const { product: created } = await product.createProduct(
      CreateProductRequest.fromPartial({
        sku,
        name: 'Desk lamp',
        slug: `lamp-${newId().slice(-12)}`,
        price: { currencyCode: 'EUR', amountMinor: 4500 },
        variants: [{ sku: `${sku}-1`, name: 'One size', initialStock: 5 }],
      }),
      { token: adminToken },
    );
    return created!.id;
  }

  before(async () => {
    mesh = await startTestMesh(['auth', 'user', 'product', 'payment']);
    auth = plainClient(AuthServiceClient, mesh.address('auth'));
    user = plainClient(UserServiceClient, mesh.address('user'));
    product = plainClient(ProductServiceClient, mesh.address('product'));
    payment = plainClient(PaymentServiceClient, mesh.address('payment'));
    adminToken = (await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
    alice = await customer('alice');
    bob = await customer('bob');
  });
  after(async () => {
    for (const client of [auth, user, product, payment]) client?.close();
    await mesh?.stop();
  });

  it('answers UNAUTHENTICATED to every RPC without a token, and PERMISSION_DENIED to a service token on "My" RPCs', async () => {
    const service = await internalToken(mesh);
    for (const [name, method] of Object.entries(UserServiceClient.service)) {
      const call = (user as unknown as Record<string, (r: unknown, o?: object) => Promise<unknown>>)[name]!;
      const empty: unknown = method.requestDeserialize(Buffer.alloc(0));
      expect((await failureOf(call(empty))).code, name).to.equal(status.UNAUTHENTICATED);
      if (name !== 'getProfile')
        expect((await failureOf(call(empty, { token: service }))).code, name).to.equal(
          status.PERMISSION_DENIED,
        );
    }
  });

  it('profile: the owner reads and updates it; staff with user:read read anyone; a customer cannot', async () => {
    const { profile } = await user.updateMyProfile(
      { firstName: 'Alice', preferredCurrency: 'EUR', marketingOptIn: true },
      { token: alice.token },
    );
    expect(profile).to.include({
      userId: alice.userId,
      firstName: 'Alice',
      preferredCurrency: 'EUR',
      marketingOptIn: true,
    });
    const bad = await failureOf(
      user.updateMyProfile({ phone: '12', preferredLanguage: '!' }, { token: alice.token }),
    );
    expect(bad.code).to.equal(status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field)).to.deep.equal(['phone', 'preferred_language']);

    const seen = await user.getProfile({ userId: alice.userId }, { token: adminToken });
    expect(seen.profile).to.include({ firstName: 'Alice' });
    expect((await failureOf(user.getProfile({ userId: alice.userId }, { token: bob.token }))).code).to.equal(
      status.PERMISSION_DENIED,
    );
    expect((await failureOf(user.getProfile({ userId: newId() }, { token: adminToken }))).code).to.equal(
      status.NOT_FOUND,
    );
    // Bob's own profile is untouched by Alice's update.
    expect((await user.getMyProfile({}, { token: bob.token })).profile!.firstName).to.equal('Ada');
  });

  it("addresses: Bob gets NOT_FOUND on Alice's address for every RPC, and nothing of hers changes", async () => {
    const { address: home } = await user.createAddress(
      { type: AddressType.ADDRESS_TYPE_SHIPPING, address: postal(), setDefault: false },
      { token: alice.token },
    );
    const { address: office } = await user.createAddress(
      {
        type: AddressType.ADDRESS_TYPE_SHIPPING,
        address: postal({ line1: '2 Office Park' }),
        setDefault: false,
      },
      { token: alice.token },
    );
    expect([home!.isDefault, office!.isDefault]).to.deep.equal([true, false]);

    const asBob = { token: bob.token };
    const denied = [
      await failureOf(user.updateAddress({ addressId: home!.id, address: postal({ city: 'Paris' }) }, asBob)),
      await failureOf(user.deleteAddress({ addressId: home!.id }, asBob)),
      await failureOf(user.setDefaultAddress({ addressId: office!.id }, asBob)),
    ];
    expect(denied.map((f) => f.code)).to.deep.equal([status.NOT_FOUND, status.NOT_FOUND, status.NOT_FOUND]);
    // Someone else's id and an id that does not exist get the same answer.
    const missing = await failureOf(user.deleteAddress({ addressId: newId() }, asBob));
    expect(denied[1]!.details.replace(home!.id, 'X')).to.equal(missing.details.replace(/[0-9a-f-]{36}/, 'X'));
    // Nor can Bob bill a card to Alice's address (checked before anything is vaulted).
    const billed = await failureOf(user.addPaymentMethod(card({ billingAddressId: home!.id }), asBob));
    expect(billed.code).to.equal(status.NOT_FOUND);
    expect((await user.listPaymentMethods({}, asBob)).paymentMethods).to.deep.equal([]);
    expect(
      (await user.listAddresses({ type: AddressType.ADDRESS_TYPE_UNSPECIFIED }, asBob)).addresses,
    ).to.deep.equal([]);

    const mine = { token: alice.token };
    await user.updateAddress({ addressId: office!.id, address: postal({ line1: '3 Office Park' }) }, mine);
    expect((await user.setDefaultAddress({ addressId: office!.id }, mine)).address!.isDefault).to.equal(true);
    expect(await user.deleteAddress({ addressId: office!.id }, mine)).to.deep.equal({
      newDefaultAddressId: home!.id,
    });
    const { addresses } = await user.listAddresses({ type: AddressType.ADDRESS_TYPE_SHIPPING }, mine);
    expect(addresses.map((a) => [a.id, a.isDefault, a.address!.city])).to.deep.equal([
      [home!.id, true, 'Springfield'],
    ]);

    const invalid = await failureOf(
      user.createAddress(
        { type: AddressType.ADDRESS_TYPE_BILLING, address: postal({ country: 'USA' }), setDefault: false },
        mine,
      ),
    );
    expect(invalid.code).to.equal(status.INVALID_ARGUMENT);
    expect(invalid.violations).to.deep.equal([
      {
        field: 'address.country',
        description: 'must be an assigned ISO 3166-1 alpha-2 code in upper case, e.g. US',
      },
    ]);
  });

  it('addresses: ten parallel first addresses end with exactly one default', async () => {
    const carol = await customer('carol');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        user.createAddress(
          { type: AddressType.ADDRESS_TYPE_BILLING, address: postal(), setDefault: false },
          { token: carol.token },
        ),
      ),
    );
    expect(results.every((r) => r.status === 'fulfilled')).to.equal(true);
    const { addresses } = await user.listAddresses(
      { type: AddressType.ADDRESS_TYPE_BILLING },
      { token: carol.token },
    );
    expect(addresses).to.have.length(10);
    expect(addresses.filter((a) => a.isDefault)).to.have.length(1);
  });

  it('wallet: vaulted through the payment service, the same request twice is one entry, Bob reaches none of it', async () => {
    const mine = { token: alice.token };
    const request = card();
    const [first, second] = await Promise.all([
      user.addPaymentMethod(request, mine),
      user.addPaymentMethod(request, mine),
    ]);
    expect(first.paymentMethod!.id).to.equal(second.paymentMethod!.id);
    expect(first.paymentMethod).to.include({ isDefault: true, brand: 'visa', last4: '4242' });
    // One rule for every key: the same key with anything else changed is refused, naming the key.
    for (const changed of [{ last4: '1111' }, { cardholderName: 'Someone Else' }, { setDefault: true }]) {
      const reused = await failureOf(user.addPaymentMethod({ ...request, ...changed }, mine));
      expect(reused.code, JSON.stringify(changed)).to.equal(status.FAILED_PRECONDITION);
      expect(reused.details).to.equal(
        `idempotency key ${request.idempotencyKey} was already used for a different request`,
      );
    }
    expect((await user.listPaymentMethods({}, mine)).paymentMethods).to.have.length(1);
    const otherRequest = card({ last4: '0005', brand: 'mastercard' });
    const { paymentMethod: other } = await user.addPaymentMethod(otherRequest, mine);

    const asBob = { token: bob.token };
    expect(
      (await failureOf(user.removePaymentMethod({ paymentMethodId: first.paymentMethod!.id }, asBob))).code,
    ).to.equal(status.NOT_FOUND);
    expect(
      (await failureOf(user.setDefaultPaymentMethod({ paymentMethodId: other!.id }, asBob))).code,
    ).to.equal(status.NOT_FOUND);
    expect((await user.listPaymentMethods({}, asBob)).paymentMethods).to.deep.equal([]);

    expect(
      (await user.setDefaultPaymentMethod({ paymentMethodId: other!.id }, mine)).paymentMethod!.isDefault,
    ).to.equal(true);
    expect(await user.removePaymentMethod({ paymentMethodId: other!.id }, mine)).to.deep.equal({
      newDefaultPaymentMethodId: first.paymentMethod!.id,
    });
    // Gone from the vault too: deleting it there again finds nothing.
    const service = await internalToken(mesh);
    const again = await payment.deleteVaultedPaymentMethod(
      { userId: alice.userId, paymentMethodId: other!.paymentMethodRef },
      { token: service },
    );
    expect(again.deleted).to.equal(false);
    // A late retry of the request that added the removed card does not bring it back.
    const late = await failureOf(user.addPaymentMethod(otherRequest, mine));
    expect(late.code).to.equal(status.FAILED_PRECONDITION);
    expect(late.details).to.equal(
      `the payment method added with idempotency key ${otherRequest.idempotencyKey} has since been deleted; send a new key to add it again`,
    );
    const { paymentMethods } = await user.listPaymentMethods({}, mine);
    expect(paymentMethods.map((m) => [m.id, m.isDefault])).to.deep.equal([[first.paymentMethod!.id, true]]);
  });

  it('wallet: with the payment service down, AddPaymentMethod answers UNAVAILABLE and writes nothing', async () => {
    const dave = await customer('dave');
    await mesh.stopService('payment');
    try {
      const failure = await failureOf(user.addPaymentMethod(card(), { token: dave.token }));
      expect(failure.code).to.equal(status.UNAVAILABLE);
      expect((await user.listPaymentMethods({}, { token: dave.token })).paymentMethods).to.deep.equal([]);
    } finally {
      await mesh.startService('payment');
    }
    const { paymentMethod } = await eventually(() => user.addPaymentMethod(card(), { token: dave.token }), {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: 'wallet to recover',
    });
    expect(paymentMethod!.isDefault).to.equal(true);
  });

  it("preferences: set, get, delete; Bob cannot read or delete Alice's", async () => {
    const mine = { token: alice.token };
    await user.setPreference({ key: 'ui.theme', valueJson: '{"mode":"dark"}' }, mine);
    // Bob setting the same key sets his own value, not Alice's.
    await user.setPreference({ key: 'ui.theme', valueJson: '"light"' }, { token: bob.token });
    await user.deletePreference({ key: 'ui.theme' }, { token: bob.token });
    expect((await user.getPreference({ key: 'ui.theme' }, mine)).preference!.valueJson).to.equal(
      '{"mode":"dark"}',
    );
    expect((await failureOf(user.getPreference({ key: 'ui.theme' }, { token: bob.token }))).code).to.equal(
      status.NOT_FOUND,
    );
    expect((await failureOf(user.deletePreference({ key: 'ui.theme' }, { token: bob.token }))).code).to.equal(
      status.NOT_FOUND,
    );
    const bad = await failureOf(user.setPreference({ key: 'UI', valueJson: 'nope' }, mine));
    expect(bad.violations[0]!.field).to.equal('key');
    expect(await user.deletePreference({ key: 'ui.theme' }, mine)).to.deep.equal({});
  });

  it("wishlist: checked with the product service; Bob sees and removes none of Alice's; product down is UNAVAILABLE", async () => {
    const productId = await newProduct();
    const mine = { token: alice.token };
    const { item } = await user.addWishlistItem({ productId, notes: 'for the study' }, mine);
    expect(item).to.deep.include({
      productId,
      productName: 'Desk lamp',
      price: { currencyCode: 'EUR', amountMinor: 4500 },
      notes: 'for the study',
    });
    expect(item!.availability).to.be.oneOf([
      WishlistProductStatus.WISHLIST_PRODUCT_STATUS_AVAILABLE,
      WishlistProductStatus.WISHLIST_PRODUCT_STATUS_UNAVAILABLE,
    ]);
    expect((await failureOf(user.addWishlistItem({ productId: newId(), notes: '' }, mine))).code).to.equal(
      status.NOT_FOUND,
    );
    expect((await user.listWishlist({ page: undefined }, { token: bob.token })).items).to.deep.equal([]);
    expect((await failureOf(user.removeWishlistItem({ productId }, { token: bob.token }))).code).to.equal(
      status.NOT_FOUND,
    );
    expect((await user.listWishlist({ page: undefined }, mine)).items.map((i) => i.productId)).to.deep.equal([
      productId,
    ]);

    const another = await newProduct();
    await mesh.stopService('product');
    try {
      expect((await failureOf(user.addWishlistItem({ productId: another, notes: '' }, mine))).code).to.equal(
        status.UNAVAILABLE,
      );
    } finally {
      await mesh.startService('product');
    }
    expect((await user.listWishlist({ page: undefined }, mine)).items).to.have.length(1);
    await user.removeWishlistItem({ productId }, mine);
    expect((await user.listWishlist({ page: undefined }, mine)).items).to.deep.equal([]);
  });

  it('wishlist follows the catalog: a renamed, repriced product shows so through product.product.updated', async () => {
    const productId = await newProduct();
    const mine = { token: alice.token };
    // The user service's breaker may still be open from the outage of the test before.
    await eventually(() => user.addWishlistItem({ productId, notes: '' }, mine));
    await product.updateProduct(
      UpdateProductRequest.fromPartial({
        productId,
        name: 'Brass desk lamp',
        price: { currencyCode: 'EUR', amountMinor: 5200 },
        images: { images: [{ url: 'https://cdn.example.com/lamp.jpg', altText: 'lamp', primary: true }] },
      }),
      { token: adminToken },
    );
    await eventually(async () => {
      const { items } = await user.listWishlist({ page: undefined }, mine);
      expect(items.find((i) => i.productId === productId)).to.deep.include({
        productName: 'Brass desk lamp',
        productImageUrl: 'https://cdn.example.com/lamp.jpg',
        price: { currencyCode: 'EUR', amountMinor: 5200 },
      });
      return true;
    });
    await user.removeWishlistItem({ productId }, mine);
  });

  it('follows auth: a deactivated account shows inactive, a reactivated one active again', async () => {
    const erin = await customer('erin');
    await auth.deactivateUser({ userId: erin.userId, reason: 'test' }, { token: adminToken });
    await eventually(async () => {
      const { profile } = await user.getProfile({ userId: erin.userId }, { token: adminToken });
      return profile!.isActive === false ? profile : undefined;
    });
    await auth.reactivateUser({ userId: erin.userId }, { token: adminToken });
    await eventually(async () => {
      const { profile } = await user.getProfile({ userId: erin.userId }, { token: adminToken });
      return profile!.isActive === true ? profile : undefined;
    });
  });
});
