import type { EntityManager } from '@mikro-orm/postgresql';
import {
  PaymentMethodType,
  type VaultedPaymentMethod,
} from '../../../../gen/ecommerce/payment/v1/payment.js';
import { PaymentReason } from '../../../../lib/error-reasons.js';
import { failedPrecondition } from '../../../../lib/errors.js';
import {
  idempotencyKeyReused,
  requestHashOf,
  runOnce,
} from '../../../../lib/idempotency/idempotency-keys.js';
import { newId } from '../../../../lib/ids.js';
import { Violations } from '../../../../lib/validation/index.js';
import { PaymentMethod } from '../entities/payment-method.js';
import type { SecretCipher } from '../../../../lib/crypto/index.js';
import type { VaultInput } from './vault-input.js';

function toMessage(method: PaymentMethod): VaultedPaymentMethod {
  return {
    id: method.id,
    userId: method.userId,
    type: PaymentMethodType.PAYMENT_METHOD_TYPE_CARD,
    provider: method.provider,
    brand: method.brand ?? '',
    last4: method.last4 ?? '',
    expiryMonth: method.expiryMonth ?? 0,
    expiryYear: method.expiryYear ?? 0,
    createdAt: method.createdAt,
  };
}

/**
 * Stores the provider token, encrypted, once per (user, idempotency key) (lib/idempotency, scope
 * `vault-payment-method/<user id>`): two identical requests at once store one row and both answer
 * it. A key reused for a different request is FAILED_PRECONDITION naming the key, and so is the key
 * of a method deleted since (a late retry must not bring a removed card back). The row keeps its
 * key too (unique per user), which still decides after the ledger entry's retention.
 */
export async function vaultPaymentMethod(
  em: EntityManager,
  cipher: SecretCipher,
  input: VaultInput,
): Promise<VaultedPaymentMethod> {
  const { idempotencyKey, ...request } = input;
  const requestHash = requestHashOf(request);
  const keyed = { scope: `vault-payment-method/${input.userId}`, key: idempotencyKey, request };
  const { paymentMethodId } = await runOnce(em, keyed, async (tx) => {
    const id = newId();
    await tx.execute(
      `INSERT INTO payment_methods (id, user_id, type, provider, provider_token, brand, last4, expiry_month,
                                    expiry_year, is_default, idempotency_key, request_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, false, ?, ?)
       ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`,
      [
        id,
        input.userId,
        input.type,
        input.provider,
        cipher.encrypt(input.providerToken, id),
        input.brand,
        input.last4,
        input.expiryMonth,
        input.expiryYear,
        idempotencyKey,
        requestHash,
      ],
    );
    const [stored] = await tx.execute<{ id: string; request_hash: string }[]>(
      'SELECT id, request_hash FROM payment_methods WHERE user_id = ? AND idempotency_key = ?',
      [input.userId, idempotencyKey],
    );
    if (stored!.request_hash !== requestHash) throw idempotencyKeyReused(idempotencyKey);
    return { paymentMethodId: stored!.id };
  });
  const stored = await em.findOneOrFail(PaymentMethod, { id: paymentMethodId });
  if (stored.deletedAt) {
    throw failedPrecondition(
      `the payment method added with idempotency key ${idempotencyKey} has since been deleted; send a new key to add it again`,
      PaymentReason.PAYMENT_METHOD_DELETED,
    );
  }
  return toMessage(stored);
}

/**
 * Deletes a user's vaulted method: its provider token is erased and the row kept as deleted, holding
 * its idempotency key. `false` when there is none (already deleted, or not theirs).
 */
export async function deleteVaultedPaymentMethod(
  em: EntityManager,
  userId: string,
  paymentMethodId: string,
): Promise<boolean> {
  const check = new Violations();
  check.uuid('user_id', userId);
  check.uuid('payment_method_id', paymentMethodId);
  check.throwIfAny();
  const deleted = await em.nativeUpdate(
    PaymentMethod,
    { id: paymentMethodId, userId, deletedAt: null },
    { deletedAt: new Date(), updatedAt: new Date(), providerToken: '', isDefault: false },
  );
  return deleted > 0;
}
