import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { paymentEntities } from '../src/entities/index.js';
import { paymentMigrations } from '../src/migrations/index.js';
import { SecretCipher } from '../../../lib/crypto/index.js';
import type { VaultInput } from '../src/vault/vault-input.js';
import { parseVaultKeys } from '../src/vault/vault-keys.js';
import { deleteVaultedPaymentMethod, vaultPaymentMethod } from '../src/vault/vault.js';
import { failureOf } from '../../../lib/testing/app-error.js';

function keyEntry(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

function card(overrides: Partial<VaultInput> = {}): VaultInput {
  return {
    userId: newId(),
    type: 'card',
    provider: 'stripe',
    providerToken: `pm_${randomBytes(12).toString('hex')}`,
    brand: 'visa',
    last4: '4242',
    expiryMonth: 12,
    expiryYear: 2030,
    idempotencyKey: `key-${newId()}`,
    ...overrides,
  };
}

describe('payment vault: storage', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  const cipher = new SecretCipher(parseVaultKeys(keyEntry('k1')));

  before(async () => {
    db = await openScratchDatabase('payment_vault', {
      entities: paymentEntities,
      migrations: paymentMigrations,
    });
  });
  after(async () => {
    await db?.drop();
  });

  const storedToken = async (id: string): Promise<string> => {
    const [row] = await db.orm.em
      .fork()
      .execute<{ provider_token: string }[]>('SELECT provider_token FROM payment_methods WHERE id = ?', [id]);
    return row!.provider_token;
  };

  it('keeps the provider token only encrypted, readable with the vault key and the row id', async () => {
    const input = card();
    const method = await vaultPaymentMethod(db.orm.em.fork(), cipher, input);
    const sealed = await storedToken(method.id);
    expect(sealed).to.match(/^v1:k1:/);
    expect(sealed).not.to.contain(input.providerToken);
    expect(cipher.decrypt(sealed, method.id)).to.equal(input.providerToken);
    // Bound to its row: the same ciphertext on another row does not decrypt.
    expect(() => cipher.decrypt(sealed, newId())).to.throw();
    expect(method).to.include({ userId: input.userId, brand: 'visa', last4: '4242', expiryYear: 2030 });
  });

  it('stores one method for the same request sent ten times at once, and answers every one with it', async () => {
    const input = card();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => vaultPaymentMethod(db.orm.em.fork(), cipher, input)),
    );
    expect(new Set(results.map((r) => r.id)).size).to.equal(1);
    const [row] = await db.orm.em
      .fork()
      .execute<{ n: number }[]>('SELECT count(*)::int AS n FROM payment_methods WHERE user_id = ?', [
        input.userId,
      ]);
    expect(row!.n).to.equal(1);
  });

  it('refuses a key reused for a different card with FAILED_PRECONDITION, storing nothing', async () => {
    const first = card();
    await vaultPaymentMethod(db.orm.em.fork(), cipher, first);
    const failure = await failureOf(
      vaultPaymentMethod(db.orm.em.fork(), cipher, {
        ...first,
        last4: '1111',
        providerToken: 'pm_other_card',
      }),
    );
    expect(failure.code).to.equal(status.FAILED_PRECONDITION);
    expect(failure.message).to.equal(
      `idempotency key ${first.idempotencyKey} was already used for a different request`,
    );
    const [row] = await db.orm.em
      .fork()
      .execute<{ n: number }[]>('SELECT count(*)::int AS n FROM payment_methods WHERE user_id = ?', [
        first.userId,
      ]);
    expect(row!.n).to.equal(1);
  });

  it('lets two users use the same idempotency key independently', async () => {
    const key = `shared-${newId()}`;
    const a = await vaultPaymentMethod(db.orm.em.fork(), cipher, card({ idempotencyKey: key }));
    const b = await vaultPaymentMethod(db.orm.em.fork(), cipher, card({ idempotencyKey: key }));
    expect(a.id).not.to.equal(b.id);
  });

  it("deletes only the owner's method, and a second delete reports nothing deleted", async () => {
    const input = card();
    const method = await vaultPaymentMethod(db.orm.em.fork(), cipher, input);
    expect(await deleteVaultedPaymentMethod(db.orm.em.fork(), newId(), method.id)).to.equal(false);
    expect(await deleteVaultedPaymentMethod(db.orm.em.fork(), input.userId, method.id)).to.equal(true);
    expect(await deleteVaultedPaymentMethod(db.orm.em.fork(), input.userId, method.id)).to.equal(false);
  });

  it("erases a deleted method's token, and refuses a late retry of the request that added it", async () => {
    const input = card();
    const method = await vaultPaymentMethod(db.orm.em.fork(), cipher, input);
    expect(await deleteVaultedPaymentMethod(db.orm.em.fork(), input.userId, method.id)).to.equal(true);
    expect(await storedToken(method.id)).to.equal('');
    const [row] = await db.orm.em
      .fork()
      .execute<{ deleted: boolean; touched: boolean }[]>(
        'SELECT deleted_at IS NOT NULL AS deleted, updated_at > created_at AS touched FROM payment_methods WHERE id = ?',
        [method.id],
      );
    expect(row).to.deep.equal({ deleted: true, touched: true });

    const retry = await failureOf(vaultPaymentMethod(db.orm.em.fork(), cipher, input));
    expect(retry.code).to.equal(status.FAILED_PRECONDITION);
    expect(retry.message).to.equal(
      `the payment method added with idempotency key ${input.idempotencyKey} has since been deleted; send a new key to add it again`,
    );
    // A new key adds the card again, as a new method.
    const again = await vaultPaymentMethod(db.orm.em.fork(), cipher, {
      ...input,
      idempotencyKey: `key-${newId()}`,
    });
    expect(again.id).not.to.equal(method.id);
    expect(cipher.decrypt(await storedToken(again.id), again.id)).to.equal(input.providerToken);
  });

  it('answers INVALID_ARGUMENT naming the field for ids that are not UUIDs', async () => {
    const failure = await failureOf(deleteVaultedPaymentMethod(db.orm.em.fork(), newId(), 'nope'));
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations).to.deep.equal([{ field: 'payment_method_id', description: 'must be a UUID' }]);
  });
});

describe('payment vault: keys', () => {
  it('decrypts with a previous key after rotation and encrypts with the new one', () => {
    const old = keyEntry('old');
    const before = new SecretCipher(parseVaultKeys(old));
    const sealed = before.encrypt('pm_secret_token', 'row-1');
    const after = new SecretCipher(parseVaultKeys(`${keyEntry('new')},${old}`));
    expect(after.decrypt(sealed, 'row-1')).to.equal('pm_secret_token');
    expect(after.encrypt('pm_secret_token', 'row-1')).to.match(/^v1:new:/);
  });

  it('names the setting when a key is malformed', () => {
    expect(() => parseVaultKeys('k1:short')).to.throw(
      /PAYMENT_VAULT_KEYS entry 0 must be <key id>:<32 bytes in base64>/,
    );
    const entry = keyEntry('dup');
    expect(() => parseVaultKeys(`${entry},${entry}`)).to.throw(/two keys with the id dup/);
  });
});
