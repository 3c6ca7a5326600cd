import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import type { Address as PostalAddress } from '../../../gen/ecommerce/common/v1/address.js';
import { AddressType } from '../../../gen/ecommerce/user/v1/user.js';
import { newId } from '../../../lib/ids.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import {
  createAddress,
  deleteAddress,
  listAddresses,
  MAX_ADDRESSES,
  setDefaultAddress,
  updateAddress,
} from '../src/domain/addresses.js';
import { countRows, failureOf, newCustomer, openUserDatabase } from './support.js';

const SHIPPING = AddressType.ADDRESS_TYPE_SHIPPING;
const BILLING = AddressType.ADDRESS_TYPE_BILLING;

function postal(overrides: Partial<PostalAddress> = {}): PostalAddress {
  return {
    firstName: 'Ada',
    lastName: 'Lovelace',
    company: '',
    line1: '12 St James Square',
    line2: '',
    city: 'London',
    state: '',
    postalCode: 'SW1Y 4JH',
    country: 'GB',
    phone: '+442079460000',
    ...overrides,
  };
}

describe('user service: addresses', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  const em = () => db.orm.em.fork();

  before(async () => {
    db = await openUserDatabase('user_addresses');
  });
  after(async () => {
    await db?.drop();
  });

  const defaultsOf = async (userId: string, type: 'shipping' | 'billing'): Promise<number> =>
    countRows(db, 'addresses WHERE user_id = ? AND type = ? AND is_default', [userId, type]);

  it('makes the first address of each type its default, and later ones not', async () => {
    const userId = await newCustomer(db);
    const first = await createAddress(em(), userId, { type: SHIPPING, address: postal(), setDefault: false });
    const second = await createAddress(em(), userId, {
      type: SHIPPING,
      address: postal(),
      setDefault: false,
    });
    const billing = await createAddress(em(), userId, {
      type: BILLING,
      address: postal(),
      setDefault: false,
    });
    expect([first.isDefault, second.isDefault, billing.isDefault]).to.deep.equal([true, false, true]);
    expect(first.address).to.deep.equal(postal());
    const listed = await listAddresses(em(), userId, AddressType.ADDRESS_TYPE_UNSPECIFIED);
    expect(listed.map((a) => a.id)).to.deep.equal([first.id, billing.id, second.id]);
    expect((await listAddresses(em(), userId, BILLING)).map((a) => a.id)).to.deep.equal([billing.id]);
  });

  it('moves the default with set_default and SetDefaultAddress, keeping exactly one per type', async () => {
    const userId = await newCustomer(db);
    const a = await createAddress(em(), userId, { type: SHIPPING, address: postal(), setDefault: false });
    const b = await createAddress(em(), userId, { type: SHIPPING, address: postal(), setDefault: true });
    expect(b.isDefault).to.equal(true);
    expect(await defaultsOf(userId, 'shipping')).to.equal(1);
    const back = await setDefaultAddress(em(), userId, a.id);
    expect(back.isDefault).to.equal(true);
    const listed = await listAddresses(em(), userId, SHIPPING);
    expect(listed.map((x) => [x.id, x.isDefault])).to.deep.equal([
      [a.id, true],
      [b.id, false],
    ]);
    // Setting the default again is a no-op.
    expect((await setDefaultAddress(em(), userId, a.id)).isDefault).to.equal(true);
  });

  it('promotes the oldest remaining address when the default is deleted', async () => {
    const userId = await newCustomer(db);
    const a = await createAddress(em(), userId, { type: SHIPPING, address: postal(), setDefault: false });
    const b = await createAddress(em(), userId, { type: SHIPPING, address: postal(), setDefault: false });
    const c = await createAddress(em(), userId, { type: SHIPPING, address: postal(), setDefault: false });
    expect(await deleteAddress(em(), userId, c.id)).to.equal('');
    expect(await deleteAddress(em(), userId, a.id)).to.equal(b.id);
    expect(await deleteAddress(em(), userId, b.id)).to.equal('');
    expect(await countRows(db, 'addresses WHERE user_id = ?', [userId])).to.equal(0);
  });

  it('gives exactly one default when eight first addresses are created at once', async () => {
    const userId = await newCustomer(db);
    const created = await Promise.all(
      Array.from({ length: 8 }, () =>
        createAddress(em(), userId, { type: SHIPPING, address: postal(), setDefault: false }),
      ),
    );
    expect(created.filter((a) => a.isDefault)).to.have.length(1);
    expect(await defaultsOf(userId, 'shipping')).to.equal(1);
  });

  it('keeps one default when creations with set_default race with deletes of the default', async () => {
    const userId = await newCustomer(db);
    const seed = await createAddress(em(), userId, { type: SHIPPING, address: postal(), setDefault: false });
    await Promise.all([
      ...Array.from({ length: 4 }, () =>
        createAddress(em(), userId, { type: SHIPPING, address: postal(), setDefault: true }),
      ),
      deleteAddress(em(), userId, seed.id),
    ]);
    expect(await countRows(db, 'addresses WHERE user_id = ?', [userId])).to.equal(4);
    expect(await defaultsOf(userId, 'shipping')).to.equal(1);
  });

  it('updates the postal fields and keeps type and default', async () => {
    const userId = await newCustomer(db);
    const a = await createAddress(em(), userId, { type: BILLING, address: postal(), setDefault: false });
    const changed = await updateAddress(em(), userId, {
      addressId: a.id,
      address: postal({ city: ' Bath ', line2: 'Flat 2' }),
    });
    expect(changed.address).to.include({ city: 'Bath', line2: 'Flat 2' });
    expect(changed).to.include({ type: BILLING, isDefault: true });
  });

  it('answers INVALID_ARGUMENT naming every field at fault, and writes nothing', async () => {
    const userId = await newCustomer(db);
    const failure = await failureOf(
      createAddress(em(), userId, {
        type: AddressType.ADDRESS_TYPE_UNSPECIFIED,
        address: postal({ firstName: ' ', line1: '', city: 'x'.repeat(101), country: 'gb', phone: '0207' }),
        setDefault: false,
      }),
    );
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations).to.deep.equal([
      { field: 'type', description: 'must be ADDRESS_TYPE_SHIPPING or ADDRESS_TYPE_BILLING' },
      { field: 'address.first_name', description: 'is required' },
      { field: 'address.line1', description: 'is required' },
      { field: 'address.city', description: 'must be 1-100 characters' },
      {
        field: 'address.country',
        description: 'must be an assigned ISO 3166-1 alpha-2 code in upper case, e.g. US',
      },
      { field: 'address.phone', description: 'must be in E.164 format, e.g. +14155550100' },
    ]);
    const unassigned = await failureOf(
      createAddress(em(), userId, { type: SHIPPING, address: postal({ country: 'XX' }), setDefault: false }),
    );
    expect(unassigned.violations.map((v) => v.field)).to.deep.equal(['address.country']);
    const missing = await failureOf(
      createAddress(em(), userId, { type: SHIPPING, address: undefined, setDefault: false }),
    );
    expect(missing.violations).to.deep.equal([{ field: 'address', description: 'is required' }]);
    expect(await countRows(db, 'addresses WHERE user_id = ?', [userId])).to.equal(0);

    const a = await createAddress(em(), userId, { type: SHIPPING, address: postal(), setDefault: false });
    const badUpdate = await failureOf(
      updateAddress(em(), userId, { addressId: a.id, address: postal({ postalCode: 'x'.repeat(21) }) }),
    );
    expect(badUpdate.violations).to.deep.equal([
      { field: 'address.postal_code', description: 'must be at most 20 characters' },
    ]);
    expect((await listAddresses(em(), userId, SHIPPING))[0]!.address!.postalCode).to.equal('SW1Y 4JH');
    const badId = await failureOf(deleteAddress(em(), userId, 'not-a-uuid'));
    expect(badId.violations).to.deep.equal([{ field: 'address_id', description: 'must be a UUID' }]);
    const noId = await failureOf(setDefaultAddress(em(), userId, ''));
    expect(noId.violations).to.deep.equal([{ field: 'address_id', description: 'is required' }]);
    const badType = await failureOf(listAddresses(em(), userId, 7 as AddressType));
    expect(badType.violations).to.deep.equal([
      { field: 'type', description: 'must be ADDRESS_TYPE_SHIPPING or ADDRESS_TYPE_BILLING' },
    ]);
  });

  it("answers NOT_FOUND for another customer's address on every RPC, changing nothing", async () => {
    const owner = await newCustomer(db);
    const other = await newCustomer(db);
    const a = await createAddress(em(), owner, { type: SHIPPING, address: postal(), setDefault: false });
    const b = await createAddress(em(), owner, { type: SHIPPING, address: postal(), setDefault: false });
    for (const call of [
      () => updateAddress(em(), other, { addressId: a.id, address: postal({ city: 'Paris' }) }),
      () => deleteAddress(em(), other, a.id),
      () => setDefaultAddress(em(), other, b.id),
    ]) {
      const failure = await failureOf(call());
      expect(failure.code).to.equal(status.NOT_FOUND);
      expect(failure.message).to.match(/^address .* not found$/);
    }
    expect(await listAddresses(em(), other, AddressType.ADDRESS_TYPE_UNSPECIFIED)).to.deep.equal([]);
    const mine = await listAddresses(em(), owner, SHIPPING);
    expect(mine.map((x) => [x.id, x.isDefault, x.address!.city])).to.deep.equal([
      [a.id, true, 'London'],
      [b.id, false, 'London'],
    ]);
  });

  it('answers FAILED_PRECONDITION when the address book is full or the profile does not exist yet', async () => {
    const userId = await newCustomer(db);
    for (let i = 0; i < MAX_ADDRESSES; i++)
      await createAddress(em(), userId, { type: BILLING, address: postal(), setDefault: false });
    const full = await failureOf(
      createAddress(em(), userId, { type: BILLING, address: postal(), setDefault: false }),
    );
    expect(full.code).to.equal(status.FAILED_PRECONDITION);
    expect(full.reason).to.equal('ADDRESS_BOOK_FULL');
    const stranger = await failureOf(
      createAddress(em(), newId(), { type: BILLING, address: postal(), setDefault: false }),
    );
    expect(stranger.code).to.equal(status.FAILED_PRECONDITION);
    expect(stranger.message).to.contain('not created yet');
    expect(stranger.reason).to.equal('PROFILE_NOT_READY');
  });
});
