import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeEnvelope } from '../../../lib/events/index.js';
import type { EventType } from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import type { AuthorizeInput } from '../src/domain/payment-input.js';
import type { VaultInput } from '../src/vault/vault-input.js';
import { paymentEntities } from '../src/entities/index.js';
import { paymentMigrations } from '../src/migrations/index.js';
import { TestGateway } from '../src/providers/test-gateway.js';
import { SecretCipher } from '../../../lib/crypto/index.js';
import { parseVaultKeys } from '../src/vault/vault-keys.js';

export const WEBHOOK_SECRET = 'whsec_payment_domain_tests_0123';

export function openPaymentDatabase(name: string): Promise<ScratchDatabase> {
  return openScratchDatabase(name, { entities: paymentEntities, migrations: paymentMigrations });
}

export function paymentDeps() {
  return {
    provider: new TestGateway(WEBHOOK_SECRET),
    cipher: new SecretCipher(parseVaultKeys(`k1:${randomBytes(32).toString('base64')}`)),
  };
}

export const newKey = (): string => `key-${newId()}`;

export function authorization(overrides: Partial<AuthorizeInput> = {}): AuthorizeInput {
  return {
    orderId: newId(),
    userId: newId(),
    guestEmail: null,
    amount: { currencyCode: 'EUR', amountMinor: 10_000 },
    paymentMethodId: null,
    paymentToken: 'pm_card_visa',
    idempotencyKey: newKey(),
    ...overrides,
  };
}

/** A test gateway card to vault for `userId` (pm_card_visa: authorises and captures). */
export function testCard(userId: string, overrides: Partial<VaultInput> = {}): VaultInput {
  return {
    userId,
    type: 'card',
    provider: 'test',
    providerToken: 'pm_card_visa',
    brand: 'visa',
    last4: '4242',
    expiryMonth: 12,
    expiryYear: 2030,
    idempotencyKey: newKey(),
    ...overrides,
  };
}

/** The events of one type the payment service wrote to its outbox about a payment. */
export async function outboxEvents<T extends { paymentId: string }>(
  em: EntityManager,
  event: EventType<T>,
  paymentId: string,
): Promise<T[]> {
  const rows = await em.execute<{ envelope: Uint8Array }[]>(
    'SELECT envelope FROM infra.outbox WHERE subject = ? ORDER BY created_at, id',
    [event.subject],
  );
  return rows
    .map((row) => event.decode(decodeEnvelope(Buffer.from(row.envelope)).payload))
    .filter((message) => message.paymentId === paymentId);
}

export async function transactionRows(em: EntityManager, paymentId: string) {
  return em.execute<{ type: string; status: string; amount: string }[]>(
    'SELECT type, status, amount::text FROM payment_transactions WHERE payment_id = ? ORDER BY created_at, id',
    [paymentId],
  );
}
