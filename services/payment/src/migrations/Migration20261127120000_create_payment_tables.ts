import { Migration } from '@mikro-orm/migrations';

/**
 * payment_db: the five tables of docs/database/payment_db.md. Hand-written SQL (partial indexes); every statement
 * is `IF NOT EXISTS`, so running it again is harmless. `order_id` (order), `user_id` (auth) and
 * `return_request_id` (return) are cross-service: indexed, no foreign key. Transactions and refunds
 * are financial records: their payment cannot be deleted (RESTRICT).
 */
export class Migration20261127120000_create_payment_tables extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE IF NOT EXISTS payment_methods (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      type text NOT NULL,
      provider text NOT NULL,
      provider_token text NOT NULL,
      brand text,
      last4 char(4),
      expiry_month smallint,
      expiry_year smallint,
      is_default boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT payment_methods_pkey PRIMARY KEY (id),
      CONSTRAINT payment_methods_type_check CHECK (type IN ('card', 'bank_account', 'paypal', 'wallet')),
      CONSTRAINT payment_methods_last4_check CHECK (last4 ~ '^[0-9]{4}$'),
      CONSTRAINT payment_methods_expiry_month_check CHECK (expiry_month BETWEEN 1 AND 12),
      CONSTRAINT payment_methods_expiry_year_check CHECK (expiry_year BETWEEN 2000 AND 2100)
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS payment_methods_user_id_idx ON payment_methods (user_id, created_at)',
    );
    this.addSql(
      'CREATE UNIQUE INDEX IF NOT EXISTS payment_methods_user_id_default_unique ON payment_methods (user_id) WHERE is_default',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS payments (
      id uuid NOT NULL,
      order_id uuid NOT NULL,
      user_id uuid NOT NULL,
      payment_method_id uuid,
      status text NOT NULL DEFAULT 'pending',
      provider text NOT NULL,
      provider_payment_id text,
      amount numeric(12,2) NOT NULL,
      amount_refunded numeric(12,2) NOT NULL DEFAULT 0,
      currency char(3) NOT NULL,
      idempotency_key text NOT NULL,
      failure_code text,
      failure_message text,
      metadata jsonb NOT NULL DEFAULT '{}',
      processed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT payments_pkey PRIMARY KEY (id),
      CONSTRAINT payments_idempotency_key_unique UNIQUE (idempotency_key),
      CONSTRAINT payments_payment_method_id_fkey FOREIGN KEY (payment_method_id) REFERENCES payment_methods (id)
        ON DELETE SET NULL,
      CONSTRAINT payments_status_check CHECK (
        status IN ('pending', 'authorized', 'succeeded', 'failed', 'cancelled', 'refunded', 'partially_refunded')
      ),
      CONSTRAINT payments_amount_check CHECK (amount >= 0),
      CONSTRAINT payments_amount_refunded_check CHECK (amount_refunded >= 0 AND amount_refunded <= amount),
      CONSTRAINT payments_currency_check CHECK (currency ~ '^[A-Z]{3}$')
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS payments_order_id_idx ON payments (order_id)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS payments_user_id_created_at_idx ON payments (user_id, created_at DESC)',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS payments_payment_method_id_idx ON payments (payment_method_id) WHERE payment_method_id IS NOT NULL',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS payments_status_created_at_idx ON payments (status, created_at DESC)',
    );
    // Webhooks find the payment by the provider's id.
    this.addSql(
      `CREATE UNIQUE INDEX IF NOT EXISTS payments_provider_payment_id_unique ON payments (provider, provider_payment_id)
         WHERE provider_payment_id IS NOT NULL`,
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS payment_transactions (
      id uuid NOT NULL,
      payment_id uuid NOT NULL,
      type text NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      provider_transaction_id text,
      amount numeric(12,2) NOT NULL,
      currency char(3) NOT NULL,
      provider_response jsonb,
      error_message text,
      processed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT payment_transactions_pkey PRIMARY KEY (id),
      CONSTRAINT payment_transactions_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments (id)
        ON DELETE RESTRICT,
      CONSTRAINT payment_transactions_type_check CHECK (type IN ('authorize', 'capture', 'void', 'refund')),
      CONSTRAINT payment_transactions_status_check CHECK (status IN ('pending', 'succeeded', 'failed')),
      CONSTRAINT payment_transactions_amount_check CHECK (amount >= 0),
      CONSTRAINT payment_transactions_currency_check CHECK (currency ~ '^[A-Z]{3}$')
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS payment_transactions_payment_id_idx ON payment_transactions (payment_id, created_at)',
    );
    this.addSql(
      `CREATE INDEX IF NOT EXISTS payment_transactions_provider_transaction_id_idx
         ON payment_transactions (provider_transaction_id) WHERE provider_transaction_id IS NOT NULL`,
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS refunds (
      id uuid NOT NULL,
      payment_id uuid NOT NULL,
      order_id uuid NOT NULL,
      return_request_id uuid,
      reason text,
      amount numeric(12,2) NOT NULL,
      currency char(3) NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      provider_refund_id text,
      idempotency_key text NOT NULL,
      failure_message text,
      processed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT refunds_pkey PRIMARY KEY (id),
      CONSTRAINT refunds_idempotency_key_unique UNIQUE (idempotency_key),
      CONSTRAINT refunds_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments (id) ON DELETE RESTRICT,
      CONSTRAINT refunds_status_check CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
      CONSTRAINT refunds_amount_check CHECK (amount > 0),
      CONSTRAINT refunds_currency_check CHECK (currency ~ '^[A-Z]{3}$')
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS refunds_payment_id_idx ON refunds (payment_id)');
    this.addSql('CREATE INDEX IF NOT EXISTS refunds_order_id_idx ON refunds (order_id)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS refunds_return_request_id_idx ON refunds (return_request_id) WHERE return_request_id IS NOT NULL',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS payment_webhooks (
      id uuid NOT NULL,
      provider text NOT NULL,
      event_type text NOT NULL,
      provider_event_id text NOT NULL,
      payload jsonb NOT NULL,
      signature_valid boolean NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      error text,
      processed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT payment_webhooks_pkey PRIMARY KEY (id),
      CONSTRAINT payment_webhooks_provider_event_id_unique UNIQUE (provider, provider_event_id),
      CONSTRAINT payment_webhooks_status_check CHECK (status IN ('pending', 'processed', 'failed'))
    )`);
    this.addSql(
      "CREATE INDEX IF NOT EXISTS payment_webhooks_pending_idx ON payment_webhooks (created_at) WHERE status = 'pending'",
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS payment_webhooks');
    this.addSql('DROP TABLE IF EXISTS refunds');
    this.addSql('DROP TABLE IF EXISTS payment_transactions');
    this.addSql('DROP TABLE IF EXISTS payments');
    this.addSql('DROP TABLE IF EXISTS payment_methods');
  }
}
