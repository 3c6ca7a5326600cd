import type { EntityManager } from '@mikro-orm/postgresql';
import { UserReason } from '../../../../lib/error-reasons.js';
import type {
  AddPaymentMethodRequest,
  PaymentMethod as PaymentMethodMessage,
} from '../../../../gen/ecommerce/user/v1/user.js';
import { failedPrecondition, notFound } from '../../../../lib/errors.js';
import { claimIdempotencyKey, completeIdempotencyKey } from '../../../../lib/idempotency/idempotency-keys.js';
import { requireUuid } from '../../../../lib/validation/index.js';
import type { Logger } from '../../../../lib/log.js';
import { Address } from '../entities/address.js';
import { PaymentMethod } from '../entities/payment-method.js';
import { UserProfile } from '../entities/user-profile.js';
import { lockCustomer } from './customer.js';
import type { PaymentVault } from './payment-vault.js';
import { newPaymentMethodFrom } from './wallet-input.js';

export const MAX_PAYMENT_METHODS = 10;

export function paymentMethodMessage(method: PaymentMethod): PaymentMethodMessage {
  return {
    id: method.id,
    isDefault: method.isDefault,
    brand: method.brand ?? '',
    last4: method.last4 ?? '',
    expiryMonth: method.expiryMonth ?? 0,
    expiryYear: method.expiryYear ?? 0,
    cardholderName: method.cardholderName ?? '',
    billingAddressId: method.billingAddress?.id ?? '',
    paymentMethodRef: method.paymentMethodRef,
    createdAt: method.createdAt,
  };
}

function requireMethodId(value: string): string {
  return requireUuid('payment_method_id', value);
}

async function findOwnMethod(em: EntityManager, userId: string, id: string): Promise<PaymentMethod> {
  const method = await em.findOne(PaymentMethod, { id, userId });
  if (!method) throw notFound('payment method', id);
  return method;
}

async function requireOwnAddress(em: EntityManager, userId: string, addressId: string | null): Promise<void> {
  if (addressId && (await em.count(Address, { id: addressId, userId })) === 0)
    throw notFound('address', addressId);
}

async function clearDefault(tx: EntityManager, userId: string): Promise<void> {
  await tx.nativeUpdate(PaymentMethod, { userId, isDefault: true }, { isDefault: false });
}

class WalletFull extends Error {}

function removedSince(idempotencyKey: string) {
  return failedPrecondition(
    `the payment method added with idempotency key ${idempotencyKey} has since been deleted; send a new key to add it again`,
  );
}

/**
 * Vaults the card with the payment service first and then records the wallet entry: when the
 * payment service cannot be reached nothing is written. Idempotent by key (lib/idempotency, scope
 * `add-payment-method/<user id>`): the vault answers a repeated key with the same reference, the
 * wallet claims the key with the entry, so a repeated request (or two identical ones at once)
 * leaves one entry and returns it, and the key with any other field changed (cardholder name,
 * set_default, billing address, or the card itself, which the vault refuses first) is
 * FAILED_PRECONDITION. A card vaulted for a request that then finds the wallet full is deleted
 * from the vault again.
 */
export async function addPaymentMethod(
  em: EntityManager,
  vault: PaymentVault,
  userId: string,
  request: AddPaymentMethodRequest,
  logger: Logger,
): Promise<PaymentMethodMessage> {
  const input = newPaymentMethodFrom(request);
  if ((await em.count(UserProfile, { userId })) === 0)
    throw failedPrecondition(
      `the profile of user ${userId} is not created yet; retry shortly`,
      UserReason.PROFILE_NOT_READY,
    );
  await requireOwnAddress(em, userId, input.billingAddressId);

  const paymentMethodRef = await vault.vault({
    userId,
    provider: input.provider,
    providerToken: input.providerToken,
    brand: input.brand,
    last4: input.last4,
    expiryMonth: input.expiryMonth,
    expiryYear: input.expiryYear,
    idempotencyKey: input.idempotencyKey,
  });
  const { idempotencyKey, ...card } = input;
  const keyed = { scope: `add-payment-method/${userId}`, key: idempotencyKey, request: card };
  try {
    const method = await em.transactional(async (tx) => {
      await lockCustomer(tx, userId);
      // The vault only sees the card, so the wallet judges the whole request (cardholder, default, address).
      const claim = await claimIdempotencyKey<{ paymentMethodId: string }>(tx, keyed);
      if (claim.state === 'completed') {
        const added = await tx.findOne(PaymentMethod, { id: claim.answer.paymentMethodId, userId });
        if (!added) throw removedSince(idempotencyKey);
        return added;
      }
      // A retry after the key's retention: the vault's reference still names the entry.
      const existing = await tx.findOne(PaymentMethod, { paymentMethodRef, userId });
      if (existing) {
        await completeIdempotencyKey(tx, keyed.scope, keyed.key, { paymentMethodId: existing.id });
        return existing;
      }
      if ((await tx.count(PaymentMethod, { userId })) >= MAX_PAYMENT_METHODS) throw new WalletFull();
      await requireOwnAddress(tx, userId, input.billingAddressId);
      const hasDefault = (await tx.count(PaymentMethod, { userId, isDefault: true })) > 0;
      const isDefault = input.setDefault || !hasDefault;
      if (isDefault && hasDefault) await clearDefault(tx, userId);
      const added = tx.create(PaymentMethod, {
        userId,
        type: 'card',
        isDefault,
        brand: input.brand,
        last4: input.last4,
        expiryMonth: input.expiryMonth,
        expiryYear: input.expiryYear,
        cardholderName: input.cardholderName,
        billingAddress: input.billingAddressId,
        paymentMethodRef,
      });
      await completeIdempotencyKey(tx, keyed.scope, keyed.key, { paymentMethodId: added.id });
      return added;
    });
    return paymentMethodMessage(method);
  } catch (error) {
    if (!(error instanceof WalletFull)) throw error;
    await vault.remove(userId, paymentMethodRef).catch((cause: unknown) => {
      logger.warn(
        { err: cause, paymentMethodRef },
        'could not delete a vaulted card again after a full wallet',
      );
    });
    // The vault keeps a deleted card's idempotency key taken: the retry needs a new one.
    throw failedPrecondition(
      `a wallet holds at most ${MAX_PAYMENT_METHODS} payment methods; remove one, then add the card with a new idempotency_key`,
      UserReason.WALLET_FULL,
      { limit: String(MAX_PAYMENT_METHODS) },
    );
  }
}

export async function listPaymentMethods(em: EntityManager, userId: string): Promise<PaymentMethodMessage[]> {
  const methods = await em.find(
    PaymentMethod,
    { userId },
    { orderBy: { isDefault: 'desc', createdAt: 'asc', id: 'asc' } },
  );
  return methods.map(paymentMethodMessage);
}

/**
 * Deletes the method from the vault first (UNAVAILABLE when the payment service is down: nothing
 * removed), then the wallet entry; a removed default hands the role to the oldest remaining one.
 */
export async function removePaymentMethod(
  em: EntityManager,
  vault: PaymentVault,
  userId: string,
  id: string,
): Promise<string> {
  const method = await findOwnMethod(em, userId, requireMethodId(id));
  await vault.remove(userId, method.paymentMethodRef);
  return em.transactional(async (tx) => {
    await lockCustomer(tx, userId);
    const current = await findOwnMethod(tx, userId, id);
    await tx.nativeDelete(PaymentMethod, { id: current.id });
    if (!current.isDefault) return '';
    const [promoted] = await tx.execute<{ id: string }[]>(
      `UPDATE payment_methods SET is_default = true, updated_at = now()
        WHERE id = (SELECT id FROM payment_methods WHERE user_id = ? ORDER BY created_at, id LIMIT 1)
        RETURNING id`,
      [userId],
    );
    return promoted?.id ?? '';
  });
}

export async function setDefaultPaymentMethod(
  em: EntityManager,
  userId: string,
  id: string,
): Promise<PaymentMethodMessage> {
  requireMethodId(id);
  const method = await em.transactional(async (tx) => {
    await lockCustomer(tx, userId);
    const found = await findOwnMethod(tx, userId, id);
    if (!found.isDefault) {
      await clearDefault(tx, userId);
      found.isDefault = true;
    }
    return found;
  });
  return paymentMethodMessage(method);
}
