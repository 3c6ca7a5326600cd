import { Migration } from '@mikro-orm/migrations';

/**
 * What authorising, capturing, voiding and refunding need, with the invariants held by the
 * database whatever the concurrency:
 * - payments: guests pay too (`user_id` nullable, `guest_email`, one of the two required); the
 *   running amounts `amount_authorized`, `amount_captured`, `amount_refunded` and
 *   `amount_refund_reserved` (refunds sent to the gateway and not answered yet), with
 *   0 <= refunded + reserved <= captured <= authorised <= amount; `request_hash` beside the
 *   idempotency key (a key reused for another request is told apart after the key ledger's
 *   retention); `order_confirmed_at` (the order service confirmed the order with this payment);
 *   statuses renamed to what the gateway does (`captured`, `voided`).
 * - payment_transactions: an `unknown` status for an answer that was lost, the key sent to the
 *   gateway (unique), at most one capture or void per payment that is not failed.
 * - refunds: `request_hash`; payment_webhooks: an `ignored` status.
 * Every constraint is dropped if it exists before it is added, so running it again is harmless.
 */
export class Migration20261205120000_payment_flow extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE payments ALTER COLUMN user_id DROP NOT NULL');
    this.addSql('ALTER TABLE payments ADD COLUMN IF NOT EXISTS guest_email text');
    this.addSql(
      'ALTER TABLE payments ADD COLUMN IF NOT EXISTS amount_authorized numeric(12,2) NOT NULL DEFAULT 0',
    );
    this.addSql(
      'ALTER TABLE payments ADD COLUMN IF NOT EXISTS amount_captured numeric(12,2) NOT NULL DEFAULT 0',
    );
    this.addSql(
      'ALTER TABLE payments ADD COLUMN IF NOT EXISTS amount_refund_reserved numeric(12,2) NOT NULL DEFAULT 0',
    );
    this.addSql('ALTER TABLE payments ADD COLUMN IF NOT EXISTS request_hash text');
    this.addSql('ALTER TABLE payments ADD COLUMN IF NOT EXISTS order_confirmed_at timestamptz');
    this.addSql('ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_amount_refunded_check');
    this.addSql('ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_status_check');
    this.addSql(`UPDATE payments SET status = 'captured' WHERE status = 'succeeded'`);
    this.addSql(`UPDATE payments SET status = 'voided' WHERE status = 'cancelled'`);
    this.addSql(`ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (
      status IN ('pending', 'authorized', 'captured', 'partially_refunded', 'refunded', 'voided', 'failed'))`);
    this.addSql('ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_payer_check');
    this.addSql(`ALTER TABLE payments ADD CONSTRAINT payments_payer_check CHECK (
      (user_id IS NOT NULL) <> (guest_email IS NOT NULL))`);
    this.addSql('ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_amounts_check');
    this.addSql(`ALTER TABLE payments ADD CONSTRAINT payments_amounts_check CHECK (
      amount_authorized >= 0 AND amount_captured >= 0 AND amount_refunded >= 0 AND amount_refund_reserved >= 0
      AND amount_authorized <= amount
      AND amount_captured <= amount_authorized
      AND amount_refunded + amount_refund_reserved <= amount_captured)`);
    // The reconciler's work list: payments holding money without a confirmed order.
    this.addSql(
      `CREATE INDEX IF NOT EXISTS payments_unconfirmed_idx ON payments (created_at)
         WHERE order_confirmed_at IS NULL AND status IN ('authorized', 'captured', 'partially_refunded')`,
    );

    this.addSql(
      'ALTER TABLE payment_transactions DROP CONSTRAINT IF EXISTS payment_transactions_status_check',
    );
    this.addSql(`ALTER TABLE payment_transactions ADD CONSTRAINT payment_transactions_status_check CHECK (
      status IN ('pending', 'succeeded', 'failed', 'unknown'))`);
    this.addSql('ALTER TABLE payment_transactions ADD COLUMN IF NOT EXISTS idempotency_key text');
    this.addSql(
      `CREATE UNIQUE INDEX IF NOT EXISTS payment_transactions_idempotency_key_unique
         ON payment_transactions (idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    this.addSql(
      `CREATE UNIQUE INDEX IF NOT EXISTS payment_transactions_one_settlement
         ON payment_transactions (payment_id) WHERE type IN ('capture', 'void') AND status <> 'failed'`,
    );
    // The reconciler's other work list: answers lost or never received.
    this.addSql(
      `CREATE INDEX IF NOT EXISTS payment_transactions_unresolved_idx ON payment_transactions (created_at)
         WHERE status IN ('pending', 'unknown')`,
    );

    this.addSql('ALTER TABLE refunds ADD COLUMN IF NOT EXISTS request_hash text');
    this.addSql('ALTER TABLE refunds ADD COLUMN IF NOT EXISTS payment_transaction_id uuid');

    this.addSql('ALTER TABLE payment_webhooks DROP CONSTRAINT IF EXISTS payment_webhooks_status_check');
    this.addSql(`ALTER TABLE payment_webhooks ADD CONSTRAINT payment_webhooks_status_check CHECK (
      status IN ('pending', 'processed', 'ignored', 'failed'))`);
  }

  override async down(): Promise<void> {
    this.addSql(`ALTER TABLE payment_webhooks DROP CONSTRAINT IF EXISTS payment_webhooks_status_check`);
    this.addSql(`UPDATE payment_webhooks SET status = 'processed' WHERE status = 'ignored'`);
    this.addSql(`ALTER TABLE payment_webhooks ADD CONSTRAINT payment_webhooks_status_check CHECK (
      status IN ('pending', 'processed', 'failed'))`);
    this.addSql('ALTER TABLE refunds DROP COLUMN IF EXISTS payment_transaction_id');
    this.addSql('ALTER TABLE refunds DROP COLUMN IF EXISTS request_hash');
    this.addSql('DROP INDEX IF EXISTS payment_transactions_unresolved_idx');
    this.addSql('DROP INDEX IF EXISTS payment_transactions_one_settlement');
    this.addSql('DROP INDEX IF EXISTS payment_transactions_idempotency_key_unique');
    this.addSql('ALTER TABLE payment_transactions DROP COLUMN IF EXISTS idempotency_key');
    this.addSql(`UPDATE payment_transactions SET status = 'failed' WHERE status = 'unknown'`);
    this.addSql(
      'ALTER TABLE payment_transactions DROP CONSTRAINT IF EXISTS payment_transactions_status_check',
    );
    this.addSql(`ALTER TABLE payment_transactions ADD CONSTRAINT payment_transactions_status_check CHECK (
      status IN ('pending', 'succeeded', 'failed'))`);
    this.addSql('DROP INDEX IF EXISTS payments_unconfirmed_idx');
    this.addSql('ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_amounts_check');
    this.addSql('ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_payer_check');
    this.addSql('ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_status_check');
    this.addSql(`UPDATE payments SET status = 'succeeded' WHERE status = 'captured'`);
    this.addSql(`UPDATE payments SET status = 'cancelled' WHERE status = 'voided'`);
    this.addSql(`ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (
      status IN ('pending', 'authorized', 'succeeded', 'failed', 'cancelled', 'refunded', 'partially_refunded'))`);
    this.addSql(`ALTER TABLE payments ADD CONSTRAINT payments_amount_refunded_check CHECK (
      amount_refunded >= 0 AND amount_refunded <= amount)`);
    this.addSql('ALTER TABLE payments DROP COLUMN IF EXISTS order_confirmed_at');
    this.addSql('ALTER TABLE payments DROP COLUMN IF EXISTS request_hash');
    this.addSql('ALTER TABLE payments DROP COLUMN IF EXISTS amount_refund_reserved');
    this.addSql('ALTER TABLE payments DROP COLUMN IF EXISTS amount_captured');
    this.addSql('ALTER TABLE payments DROP COLUMN IF EXISTS amount_authorized');
    this.addSql('DELETE FROM payments WHERE user_id IS NULL');
    this.addSql('ALTER TABLE payments DROP COLUMN IF EXISTS guest_email');
    this.addSql('ALTER TABLE payments ALTER COLUMN user_id SET NOT NULL');
  }
}
