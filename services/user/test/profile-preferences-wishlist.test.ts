import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Product, ProductStatus } from '../../../gen/ecommerce/product/v1/product.js';
import { WishlistProductStatus } from '../../../gen/ecommerce/user/v1/user.js';
import { notFound, unavailable } from '../../../lib/errors.js';
import { newId } from '../../../lib/ids.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import type { Catalog } from '../src/domain/catalog.js';
import {
  deletePreference,
  getPreference,
  MAX_PREFERENCES,
  MAX_VALUE_BYTES,
  setPreference,
} from '../src/domain/preferences.js';
import { getProfileById, updateMyProfile } from '../src/domain/profiles.js';
import {
  addWishlistItem,
  listWishlist,
  MAX_WISHLIST_ITEMS,
  removeWishlistItem,
} from '../src/domain/wishlist.js';
import { countRows, failureOf, newCustomer, openUserDatabase } from './support.js';

function product(): Product {
  return Product.fromPartial({
    id: newId(),
    sku: 'MUG',
    name: 'Mug',
    slug: `mug-${newId()}`,
    description: '',
    price: { currencyCode: 'EUR', amountMinor: 1250 },
    status: ProductStatus.PRODUCT_STATUS_ACTIVE,
    variants: [],
    createdAt: new Date(),
    updatedAt: new Date(),
  });
}

/** Products on sale by id; `down` makes it answer as a product service that cannot be reached. */
class FakeCatalog implements Catalog {
  readonly products = new Map<string, Product>();
  calls = 0;
  down = false;
  add(p: Product): Product {
    this.products.set(p.id, p);
    return p;
  }
  async getProduct(id: string): Promise<Product> {
    this.calls++;
    if (this.down) throw unavailable('product service unavailable');
    const found = this.products.get(id);
    if (!found) throw notFound('product', id);
    return found;
  }
}

describe('user service: profile, preferences, wishlist', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  const em = () => db.orm.em.fork();

  before(async () => {
    db = await openUserDatabase('user_misc');
  });
  after(async () => {
    await db?.drop();
  });

  describe('profile', () => {
    it('changes only the fields that are set, and clears optional ones with ""', async () => {
      const userId = await newCustomer(db);
      const updated = await updateMyProfile(em(), userId, {
        firstName: ' Grace ',
        phone: '+14155550100',
        dateOfBirth: '1906-12-09',
        preferredCurrency: 'EUR',
        preferredLanguage: 'de-CH',
        avatarUrl: 'https://cdn.example.com/a.png',
        newsletterSubscribed: true,
      });
      expect(updated).to.include({
        firstName: 'Grace',
        lastName: 'Lovelace',
        phone: '+14155550100',
        dateOfBirth: '1906-12-09',
        preferredCurrency: 'EUR',
        preferredLanguage: 'de-CH',
        avatarUrl: 'https://cdn.example.com/a.png',
        newsletterSubscribed: true,
        marketingOptIn: false,
      });
      const cleared = await updateMyProfile(em(), userId, { phone: '', dateOfBirth: '' });
      expect(cleared).to.include({ phone: '', dateOfBirth: '', firstName: 'Grace' });
      expect(await getProfileById(em(), userId)).to.include({
        phone: '',
        dateOfBirth: '',
        preferredLanguage: 'de-CH',
      });
    });

    it('answers INVALID_ARGUMENT naming every field at fault, and changes nothing', async () => {
      const userId = await newCustomer(db);
      const failure = await failureOf(
        updateMyProfile(em(), userId, {
          firstName: '',
          lastName: 'x'.repeat(101),
          phone: '0123',
          avatarUrl: 'http://insecure.example.com/a.png',
          dateOfBirth: '1990-02-30',
          preferredCurrency: 'eur',
          preferredLanguage: 'English',
        }),
      );
      expect(failure.code).to.equal(status.INVALID_ARGUMENT);
      expect(failure.violations.map((v) => v.field)).to.deep.equal([
        'first_name',
        'last_name',
        'phone',
        'avatar_url',
        'date_of_birth',
        'preferred_currency',
        'preferred_language',
      ]);
      expect(await getProfileById(em(), userId)).to.include({
        firstName: 'Ada',
        lastName: 'Lovelace',
        phone: '',
      });
      const future = await failureOf(updateMyProfile(em(), userId, { dateOfBirth: '2999-01-01' }));
      expect(future.violations[0]!.field).to.equal('date_of_birth');
    });

    it('answers NOT_FOUND for a user without a profile and INVALID_ARGUMENT for a bad id', async () => {
      expect((await failureOf(updateMyProfile(em(), newId(), { firstName: 'X' }))).code).to.equal(
        status.NOT_FOUND,
      );
      expect((await failureOf(getProfileById(em(), newId()))).code).to.equal(status.NOT_FOUND);
      const bad = await failureOf(getProfileById(em(), 'abc'));
      expect(bad.violations).to.deep.equal([{ field: 'user_id', description: 'must be a UUID' }]);
    });
  });

  describe('preferences', () => {
    it('sets, replaces, reads and deletes a value by key', async () => {
      const userId = await newCustomer(db);
      const set = await setPreference(em(), userId, 'ui.theme', '{"mode":"dark","contrast":2}');
      expect(JSON.parse(set.valueJson)).to.deep.equal({ mode: 'dark', contrast: 2 });
      const replaced = await setPreference(em(), userId, 'ui.theme', '"light"');
      expect(replaced.valueJson).to.equal('"light"');
      expect((await getPreference(em(), userId, 'ui.theme')).valueJson).to.equal('"light"');
      await setPreference(em(), userId, 'beta', 'null');
      expect((await getPreference(em(), userId, 'beta')).valueJson).to.equal('null');
      await deletePreference(em(), userId, 'ui.theme');
      expect((await failureOf(getPreference(em(), userId, 'ui.theme'))).code).to.equal(status.NOT_FOUND);
      expect((await failureOf(deletePreference(em(), userId, 'ui.theme'))).code).to.equal(status.NOT_FOUND);
    });

    it('answers INVALID_ARGUMENT for a malformed key, a value that is not JSON or too large', async () => {
      const userId = await newCustomer(db);
      const cases: [() => Promise<unknown>, string][] = [
        [() => setPreference(em(), userId, 'Theme', '1'), 'key'],
        [() => setPreference(em(), userId, '', '1'), 'key'],
        [() => setPreference(em(), userId, 'a'.repeat(65), '1'), 'key'],
        [() => getPreference(em(), userId, '9lives'), 'key'],
        [() => deletePreference(em(), userId, 'has space'), 'key'],
        [() => setPreference(em(), userId, 'k', '{nope'), 'value_json'],
        [() => setPreference(em(), userId, 'k', ''), 'value_json'],
        [() => setPreference(em(), userId, 'k', JSON.stringify('x'.repeat(MAX_VALUE_BYTES))), 'value_json'],
      ];
      for (const [call, field] of cases) {
        const failure = await failureOf(call());
        expect(failure.code).to.equal(status.INVALID_ARGUMENT);
        expect(failure.violations[0]!.field).to.equal(field);
      }
      expect(await countRows(db, 'user_preferences WHERE user_id = ?', [userId])).to.equal(0);
    });

    it('keeps every number exactly as sent, or refuses it (INVALID_ARGUMENT) when it cannot be kept', async () => {
      const userId = await newCustomer(db);
      const kept = await setPreference(
        em(),
        userId,
        'numbers',
        '[9007199254740991, 0.1, -2.5e-7, 1.50, 1e300, 5e-324]',
      );
      expect(kept.valueJson).to.equal('[9007199254740991,0.1,-2.5e-7,1.5,1e+300,5e-324]');
      for (const number of ['1e400', '12345678901234567890', '1e-400', '-1E309']) {
        const failure = await failureOf(
          setPreference(em(), userId, 'big', `{"n":[1,${number}],"s":"99999999999999999999"}`),
        );
        expect(failure.code).to.equal(status.INVALID_ARGUMENT);
        expect(failure.violations).to.deep.equal([
          {
            field: 'value_json',
            description: `number ${number} cannot be kept exactly (a 64-bit float: at most 15-17 significant digits, magnitude below 1.8e308)`,
          },
        ]);
      }
      expect((await failureOf(getPreference(em(), userId, 'big'))).code).to.equal(status.NOT_FOUND);
      expect((await setPreference(em(), userId, 'digits', '"12345678901234567890"')).valueJson).to.equal(
        '"12345678901234567890"',
      );
    });

    it('answers FAILED_PRECONDITION for a new key beyond the 100th, and still replaces existing ones', async () => {
      const userId = await newCustomer(db);
      for (let k = 0; k < MAX_PREFERENCES; k++) await setPreference(em(), userId, `k${k}`, String(k));
      const full = await failureOf(setPreference(em(), userId, 'one.more', '1'));
      expect(full.code).to.equal(status.FAILED_PRECONDITION);
      expect((await setPreference(em(), userId, 'k0', '"changed"')).valueJson).to.equal('"changed"');
      expect(await countRows(db, 'user_preferences WHERE user_id = ?', [userId])).to.equal(MAX_PREFERENCES);
    });

    it("keeps customers' preferences apart", async () => {
      const owner = await newCustomer(db);
      const other = await newCustomer(db);
      await setPreference(em(), owner, 'lang', '"en"');
      expect((await failureOf(getPreference(em(), other, 'lang'))).code).to.equal(status.NOT_FOUND);
      expect((await failureOf(deletePreference(em(), other, 'lang'))).code).to.equal(status.NOT_FOUND);
      expect((await getPreference(em(), owner, 'lang')).valueJson).to.equal('"en"');
    });
  });

  describe('wishlist', () => {
    it('adds with the product data, answers a repeat with the existing item, lists newest first and pages', async () => {
      const userId = await newCustomer(db);
      const catalog = new FakeCatalog();
      const products = [catalog.add(product()), catalog.add(product()), catalog.add(product())];
      for (const p of products) await addWishlistItem(em(), catalog, userId, { productId: p.id, notes: '' });
      const again = await addWishlistItem(em(), catalog, userId, {
        productId: products[0]!.id,
        notes: 'other note',
      });
      expect(again).to.deep.include({ productId: products[0]!.id, notes: '' });
      expect(catalog.calls).to.equal(3);

      const first = await listWishlist(em(), userId, { page: { pageSize: 2, pageToken: '' } });
      expect(first.items.map((i) => i.productId)).to.deep.equal([products[2]!.id, products[1]!.id]);
      expect(first.items[0]).to.deep.include({
        productName: 'Mug',
        productSlug: products[2]!.slug,
        price: { currencyCode: 'EUR', amountMinor: 1250 },
        availability: WishlistProductStatus.WISHLIST_PRODUCT_STATUS_AVAILABLE,
      });
      const second = await listWishlist(em(), userId, {
        page: { pageSize: 2, pageToken: first.page!.nextPageToken },
      });
      expect(second.items.map((i) => i.productId)).to.deep.equal([products[0]!.id]);
      expect(second.page!.nextPageToken).to.equal('');

      await removeWishlistItem(em(), userId, products[1]!.id);
      expect((await failureOf(removeWishlistItem(em(), userId, products[1]!.id))).code).to.equal(
        status.NOT_FOUND,
      );
      expect((await listWishlist(em(), userId, { page: undefined })).items).to.have.length(2);
    });

    it('answers NOT_FOUND for a product not on sale, UNAVAILABLE when the product service is down, writing nothing', async () => {
      const userId = await newCustomer(db);
      const catalog = new FakeCatalog();
      expect(
        (await failureOf(addWishlistItem(em(), catalog, userId, { productId: newId(), notes: '' }))).code,
      ).to.equal(status.NOT_FOUND);
      const p = catalog.add(product());
      catalog.down = true;
      expect(
        (await failureOf(addWishlistItem(em(), catalog, userId, { productId: p.id, notes: '' }))).code,
      ).to.equal(status.UNAVAILABLE);
      expect(await countRows(db, 'wishlist_items WHERE user_id = ?', [userId])).to.equal(0);
    });

    it('answers INVALID_ARGUMENT for a bad product id, long notes, a bad page', async () => {
      const userId = await newCustomer(db);
      const catalog = new FakeCatalog();
      const cases: [() => Promise<unknown>, string][] = [
        [() => addWishlistItem(em(), catalog, userId, { productId: 'x', notes: '' }), 'product_id'],
        [
          () => addWishlistItem(em(), catalog, userId, { productId: newId(), notes: 'n'.repeat(501) }),
          'notes',
        ],
        [() => removeWishlistItem(em(), userId, ''), 'product_id'],
        [() => listWishlist(em(), userId, { page: { pageSize: -1, pageToken: '' } }), 'page.page_size'],
        [
          () => listWishlist(em(), userId, { page: { pageSize: 0, pageToken: 'garbage' } }),
          'page.page_token',
        ],
      ];
      for (const [call, field] of cases) {
        const failure = await failureOf(call());
        expect(failure.code).to.equal(status.INVALID_ARGUMENT);
        expect(failure.violations[0]!.field).to.equal(field);
      }
      expect(catalog.calls).to.equal(0);
    });

    it('stores one item when the same product is added ten times at once', async () => {
      const userId = await newCustomer(db);
      const catalog = new FakeCatalog();
      const p = catalog.add(product());
      await Promise.all(
        Array.from({ length: 10 }, () =>
          addWishlistItem(em(), catalog, userId, { productId: p.id, notes: '' }),
        ),
      );
      expect(await countRows(db, 'wishlist_items WHERE user_id = ?', [userId])).to.equal(1);
    });

    it('answers FAILED_PRECONDITION for a product beyond the 200th, without a row', async () => {
      const userId = await newCustomer(db);
      const rows = Array.from(
        { length: MAX_WISHLIST_ITEMS },
        (_, k) => `('${newId()}', '${userId}', '${newId()}', 'P${k}', 1.00, 'EUR')`,
      );
      await em().execute(
        `INSERT INTO wishlist_items (id, user_id, product_id, product_name, product_price, currency) VALUES ${rows.join(',')}`,
      );
      const catalog = new FakeCatalog();
      const p = catalog.add(product());
      const full = await failureOf(addWishlistItem(em(), catalog, userId, { productId: p.id, notes: '' }));
      expect(full.code).to.equal(status.FAILED_PRECONDITION);
      expect(await countRows(db, 'wishlist_items WHERE user_id = ?', [userId])).to.equal(MAX_WISHLIST_ITEMS);
    });

    it("keeps customers' wishlists apart", async () => {
      const owner = await newCustomer(db);
      const other = await newCustomer(db);
      const catalog = new FakeCatalog();
      const p = catalog.add(product());
      await addWishlistItem(em(), catalog, owner, { productId: p.id, notes: '' });
      expect((await listWishlist(em(), other, { page: undefined })).items).to.deep.equal([]);
      expect((await failureOf(removeWishlistItem(em(), other, p.id))).code).to.equal(status.NOT_FOUND);
      expect((await listWishlist(em(), owner, { page: undefined })).items).to.have.length(1);
    });
  });
});
