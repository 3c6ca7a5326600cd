import { createHash } from 'node:crypto';
import { CommonReason, PaymentReason } from '../../../../lib/error-reasons.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  PaymentMethodType,
  type VaultedPaymentMethod,
} from '../../../../gen/ecommerce/payment/v1/payment.js';
import { failedPrecondition } from '../../../../lib/errors.js';
import { newId } from '../../../../lib/ids.js';
import { Violations } from '../../../../lib/validation/index.js';
import { PaymentMethod } from '../entities/payment-method.js';
import type { TokenCipher } from './token-cipher.js';
import type { VaultInput } from './vault-input.js';

/** What identifies a request under its idempotency key: everything but the key itself. */
function requestHashOf(input: VaultInput): string {
  const { idempotencyKey: _key, ...request } = input;
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

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
 * Stores the provider token, encrypted, once per (user, idempotency key): one INSERT … ON CONFLICT
 * DO NOTHING, so two identical requests at once store one row and both answer it. A key reused for
 * a different request is FAILED_PRECONDITION, and so is the key of a method deleted since (a late
 * retry must not bring a removed card back).
 */
export async function vaultPaymentMethod(
  em: EntityManager,
  cipher: TokenCipher,
  input: VaultInput,
): Promise<VaultedPaymentMethod> {
  const id = newId();
  const requestHash = requestHashOf(input);
  await em.execute(
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
      input.idempotencyKey,
      requestHash,
    ],
  );
  const stored = await em.findOneOrFail(PaymentMethod, {
    userId: input.userId,
    idempotencyKey: input.idempotencyKey,
  });
  if (stored.requestHash !== requestHash) {
    throw failedPrecondition(
      'idempotency_key was already used for a different payment method',
      CommonReason.IDEMPOTENCY_KEY_REUSED,
    );
  }
  if (stored.deletedAt) {
    throw failedPrecondition(
      'the payment method added with this idempotency_key has since been deleted; send a new key to add it again',
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
