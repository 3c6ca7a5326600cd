import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { AddressType, type AddPaymentMethodRequest } from '../../../gen/ecommerce/user/v1/user.js';
import { unavailable } from '../../../lib/errors.js';
import { newId } from '../../../lib/ids.js';
import { quietLogger } from '../../../lib/testing/quiet-logger.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { createAddress, deleteAddress } from '../src/domain/addresses.js';
import type { CardToVault, PaymentVault } from '../src/domain/payment-vault.js';
import {
  addPaymentMethod,
  listPaymentMethods,
  MAX_PAYMENT_METHODS,
  removePaymentMethod,
  setDefaultPaymentMethod,
} from '../src/domain/wallet.js';
import { countRows, failureOf, newCustomer, openUserDatabase } from './support.js';

/** The vault as the payment service behaves: one reference per (user, key); can be switched off. */
class FakeVault implements PaymentVault {
  readonly byKey = new Map<string, string>();
  readonly removed: string[] = [];
  down = false;

  async vault(card: CardToVault): Promise<string> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.down) throw unavailable('payment service unavailable');
    const key = `${card.userId}/${card.idempotencyKey}`;
    if (!this.byKey.has(key)) this.byKey.set(key, newId());
    return this.byKey.get(key)!;
  }

  async remove(_userId: string, ref: string): Promise<void> {
    if (this.down) throw unavailable('payment service unavailable');
    this.removed.push(ref);
  }
}

function card(overrides: Partial<AddPaymentMethodRequest> = {}): AddPaymentMethodRequest {
  return {
    providerToken: `pm_${newId().replace(/-/g, '')}`,
    provider: 'stripe',
    brand: 'visa',
    last4: '4242',
    expiryMonth: 12,
    expiryYear: 2031,
    cardholderName: 'Ada Lovelace',
    billingAddressId: '',
    setDefault: false,
    idempotencyKey: `key-${newId()}`,
    ...overrides,
  };
}

describe('user service: wallet', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let vault: FakeVault;
  const em = () => db.orm.em.fork();
  const logger = quietLogger();

  before(async () => {
    db = await openUserDatabase('user_wallet');
  });
  beforeEach(() => {
    vault = new FakeVault();
  });
  after(async () => {
    await db?.drop();
  });

  it('keeps only the vault reference and display data; the first method is the default', async () => {
    const userId = await newCustomer(db);
    const request = card();
    const first = await addPaymentMethod(em(), vault, userId, request, logger);
    const second = await addPaymentMethod(em(), vault, userId, card({ last4: '1881' }), logger);
    expect(first).to.include({
      isDefault: true,
      brand: 'visa',
      last4: '4242',
      expiryMonth: 12,
      expiryYear: 2031,
    });
    expect(first.paymentMethodRef).to.equal(vault.byKey.get(`${userId}/${request.idempotencyKey}`));
    expect(second.isDefault).to.equal(false);
    const [row] = await em().execute<Record<string, unknown>[]>(
      'SELECT * FROM payment_methods WHERE id = ?',
      [first.id],
    );
    expect(JSON.stringify(row)).not.to.contain(request.providerToken);
    expect((await listPaymentMethods(em(), userId)).map((m) => m.id)).to.deep.equal([first.id, second.id]);
  });

  it('records one entry when the same AddPaymentMethod arrives twice at once, and answers both with it', async () => {
    const userId = await newCustomer(db);
    const request = card();
    const results = await Promise.all([
      addPaymentMethod(em(), vault, userId, request, logger),
      addPaymentMethod(em(), vault, userId, request, logger),
    ]);
    expect(results[0]!.id).to.equal(results[1]!.id);
    expect(await countRows(db, 'payment_methods WHERE user_id = ?', [userId])).to.equal(1);
    const again = await addPaymentMethod(em(), vault, userId, request, logger);
    expect(again.id).to.equal(results[0]!.id);
  });

  it('answers UNAVAILABLE and writes nothing when the payment service is down', async () => {
    const userId = await newCustomer(db);
    vault.down = true;
    const failure = await failureOf(addPaymentMethod(em(), vault, userId, card(), logger));
    expect(failure.code).to.equal(status.UNAVAILABLE);
    expect(await countRows(db, 'payment_methods WHERE user_id = ?', [userId])).to.equal(0);
  });

  it('removes from the vault and the wallet, promoting the oldest remaining method', async () => {
    const userId = await newCustomer(db);
    const a = await addPaymentMethod(em(), vault, userId, card(), logger);
    const b = await addPaymentMethod(em(), vault, userId, card(), logger);
    expect(await removePaymentMethod(em(), vault, userId, a.id)).to.equal(b.id);
    expect(vault.removed).to.deep.equal([a.paymentMethodRef]);
    expect((await listPaymentMethods(em(), userId)).map((m) => [m.id, m.isDefault])).to.deep.equal([
      [b.id, true],
    ]);
  });

  it('keeps the method when the vault cannot be reached on removal (UNAVAILABLE)', async () => {
    const userId = await newCustomer(db);
    const a = await addPaymentMethod(em(), vault, userId, card(), logger);
    vault.down = true;
    const failure = await failureOf(removePaymentMethod(em(), vault, userId, a.id));
    expect(failure.code).to.equal(status.UNAVAILABLE);
    expect(await countRows(db, 'payment_methods WHERE id = ?', [a.id])).to.equal(1);
  });

  it('moves the default with set_default and SetDefaultPaymentMethod', async () => {
    const userId = await newCustomer(db);
    const a = await addPaymentMethod(em(), vault, userId, card(), logger);
    const b = await addPaymentMethod(em(), vault, userId, card({ setDefault: true }), logger);
    expect(b.isDefault).to.equal(true);
    expect(await countRows(db, 'payment_methods WHERE user_id = ? AND is_default', [userId])).to.equal(1);
    expect((await setDefaultPaymentMethod(em(), userId, a.id)).isDefault).to.equal(true);
    expect((await listPaymentMethods(em(), userId)).map((m) => [m.id, m.isDefault])).to.deep.equal([
      [a.id, true],
      [b.id, false],
    ]);
  });

  it('links a billing address of the customer, refuses one of another customer, and forgets a deleted one', async () => {
    const userId = await newCustomer(db);
    const other = await newCustomer(db);
    const postal = {
      firstName: 'Ada',
      lastName: 'L',
      company: '',
      line1: '1 Road',
      line2: '',
      city: 'Leeds',
      state: '',
      postalCode: '',
      country: 'GB',
      phone: '',
    };
    const mine = await createAddress(em(), userId, {
      type: AddressType.ADDRESS_TYPE_BILLING,
      address: postal,
      setDefault: false,
    });
    const theirs = await createAddress(em(), other, {
      type: AddressType.ADDRESS_TYPE_BILLING,
      address: postal,
      setDefault: false,
    });
    const method = await addPaymentMethod(em(), vault, userId, card({ billingAddressId: mine.id }), logger);
    expect(method.billingAddressId).to.equal(mine.id);
    const refused = await failureOf(
      addPaymentMethod(em(), vault, userId, card({ billingAddressId: theirs.id }), logger),
    );
    expect(refused.code).to.equal(status.NOT_FOUND);
    expect(vault.byKey.size).to.equal(1);
    await deleteAddress(em(), userId, mine.id);
    expect((await listPaymentMethods(em(), userId))[0]!.billingAddressId).to.equal('');
  });

  it('answers INVALID_ARGUMENT naming every field at fault (a card number, an expired card), vaulting nothing', async () => {
    const userId = await newCustomer(db);
    const failure = await failureOf(
      addPaymentMethod(
        em(),
        vault,
        userId,
        card({
          providerToken: '4242 4242 4242 4242',
          provider: '',
          brand: 'Visa!',
          last4: '42x2',
          expiryMonth: 1,
          expiryYear: 2020,
          cardholderName: 'x'.repeat(101),
          billingAddressId: 'nope',
          idempotencyKey: 'short',
        }),
        logger,
      ),
    );
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations).to.deep.equal([
      {
        field: 'provider_token',
        description: 'looks like a card number: send the token the payment provider returned instead',
      },
      { field: 'provider', description: 'must be 1-32 characters of a-z, 0-9, _ or -' },
      { field: 'brand', description: 'must be 1-32 characters of a-z, 0-9, _ or -' },
      { field: 'last4', description: 'must be exactly 4 digits' },
      { field: 'expiry_year', description: 'the card has expired' },
      { field: 'cardholder_name', description: 'must be at most 100 characters' },
      { field: 'billing_address_id', description: 'must be a UUID' },
      { field: 'idempotency_key', description: 'must be 8-100 characters of letters, digits, _ or -' },
    ]);
    expect(vault.byKey.size).to.equal(0);
    expect(await countRows(db, 'payment_methods WHERE user_id = ?', [userId])).to.equal(0);
  });

  it('answers INVALID_ARGUMENT for a malformed payment_method_id and FAILED_PRECONDITION without a profile', async () => {
    const userId = await newCustomer(db);
    const bad = await failureOf(removePaymentMethod(em(), vault, userId, 'x'));
    expect(bad.violations).to.deep.equal([{ field: 'payment_method_id', description: 'must be a UUID' }]);
    const none = await failureOf(setDefaultPaymentMethod(em(), userId, ''));
    expect(none.violations).to.deep.equal([{ field: 'payment_method_id', description: 'is required' }]);
    const early = await failureOf(addPaymentMethod(em(), vault, newId(), card(), logger));
    expect(early.code).to.equal(status.FAILED_PRECONDITION);
    expect(vault.byKey.size).to.equal(0);
  });

  it("answers NOT_FOUND for another customer's method, changing nothing", async () => {
    const owner = await newCustomer(db);
    const other = await newCustomer(db);
    const a = await addPaymentMethod(em(), vault, owner, card(), logger);
    const b = await addPaymentMethod(em(), vault, owner, card(), logger);
    expect((await failureOf(removePaymentMethod(em(), vault, other, a.id))).code).to.equal(status.NOT_FOUND);
    expect((await failureOf(setDefaultPaymentMethod(em(), other, b.id))).code).to.equal(status.NOT_FOUND);
    expect(await listPaymentMethods(em(), other)).to.deep.equal([]);
    expect(vault.removed).to.deep.equal([]);
    expect((await listPaymentMethods(em(), owner)).map((m) => [m.id, m.isDefault])).to.deep.equal([
      [a.id, true],
      [b.id, false],
    ]);
  });

  it('refuses an eleventh method with FAILED_PRECONDITION and deletes the card it vaulted again', async () => {
    const userId = await newCustomer(db);
    for (let i = 0; i < MAX_PAYMENT_METHODS; i++) await addPaymentMethod(em(), vault, userId, card(), logger);
    const failure = await failureOf(addPaymentMethod(em(), vault, userId, card(), logger));
    expect(failure.code).to.equal(status.FAILED_PRECONDITION);
    expect(failure.message).to.match(/remove one, then add the card with a new idempotency_key$/);
    expect(vault.removed).to.have.length(1);
    expect(await countRows(db, 'payment_methods WHERE user_id = ?', [userId])).to.equal(MAX_PAYMENT_METHODS);
  });
});
