import { Migration } from '@mikro-orm/migrations';

const RETURN_STATUSES = `'pending', 'approved', 'rejected', 'in_transit', 'received', 'processed', 'closed'`;
const RETURN_REASONS = `'defective', 'wrong_item', 'not_as_described', 'changed_mind', 'other'`;
const REFUND_METHODS = `'original_payment', 'store_credit', 'exchange'`;

/**
 * return_db: the six tables of docs/database/return_db.md. Hand-written SQL; every statement is `IF NOT EXISTS`,
 * so running it again is harmless. `order_id`, `order_item_id` (order), `user_id` (auth),
 * `product_id`/`variant_id` (product) and `payment_id` (payment) are cross-service: indexed, no
 * foreign key.
 */
export class Migration20261127120000_create_return_tables extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE IF NOT EXISTS return_requests (
      id uuid NOT NULL,
      order_id uuid NOT NULL,
      user_id uuid NOT NULL,
      rma_number text NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      return_reason text NOT NULL,
      return_notes text,
      refund_method text NOT NULL DEFAULT 'original_payment',
      refund_amount numeric(12,2) NOT NULL DEFAULT 0,
      currency char(3) NOT NULL,
      requested_at timestamptz NOT NULL DEFAULT now(),
      approved_at timestamptz,
      rejected_at timestamptz,
      received_at timestamptz,
      processed_at timestamptz,
      closed_at timestamptz,
      rejection_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT return_requests_pkey PRIMARY KEY (id),
      CONSTRAINT return_requests_rma_number_unique UNIQUE (rma_number),
      CONSTRAINT return_requests_status_check CHECK (status IN (${RETURN_STATUSES})),
      CONSTRAINT return_requests_return_reason_check CHECK (return_reason IN (${RETURN_REASONS})),
      CONSTRAINT return_requests_refund_method_check CHECK (refund_method IN (${REFUND_METHODS})),
      CONSTRAINT return_requests_refund_amount_check CHECK (refund_amount >= 0),
      CONSTRAINT return_requests_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
      CONSTRAINT return_requests_status_timestamps_check CHECK (
        (status <> 'approved' OR approved_at IS NOT NULL)
        AND (status <> 'rejected' OR rejected_at IS NOT NULL)
        AND (status <> 'received' OR received_at IS NOT NULL)
        AND (status <> 'processed' OR processed_at IS NOT NULL)
        AND (status <> 'closed' OR closed_at IS NOT NULL)
      )
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS return_requests_order_id_idx ON return_requests (order_id)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS return_requests_user_id_created_at_idx ON return_requests (user_id, created_at DESC)',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS return_requests_status_created_at_idx ON return_requests (status, created_at DESC)',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS return_items (
      id uuid NOT NULL,
      return_request_id uuid NOT NULL,
      order_item_id uuid NOT NULL,
      product_id uuid NOT NULL,
      variant_id uuid NOT NULL,
      product_name text NOT NULL,
      product_sku text NOT NULL,
      quantity integer NOT NULL,
      unit_price numeric(12,2) NOT NULL,
      refund_amount numeric(12,2) NOT NULL DEFAULT 0,
      currency char(3) NOT NULL,
      return_reason text,
      condition text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT return_items_pkey PRIMARY KEY (id),
      CONSTRAINT return_items_return_request_id_order_item_id_unique UNIQUE (return_request_id, order_item_id),
      CONSTRAINT return_items_return_request_id_fkey FOREIGN KEY (return_request_id) REFERENCES return_requests (id)
        ON DELETE CASCADE,
      CONSTRAINT return_items_quantity_check CHECK (quantity > 0),
      CONSTRAINT return_items_unit_price_check CHECK (unit_price >= 0),
      CONSTRAINT return_items_refund_amount_check CHECK (refund_amount >= 0 AND refund_amount <= unit_price * quantity),
      CONSTRAINT return_items_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
      CONSTRAINT return_items_return_reason_check CHECK (return_reason IN (${RETURN_REASONS})),
      CONSTRAINT return_items_condition_check CHECK (condition IN ('new', 'used', 'damaged', 'defective'))
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS return_items_order_item_id_idx ON return_items (order_item_id)');
    this.addSql('CREATE INDEX IF NOT EXISTS return_items_product_id_idx ON return_items (product_id)');
    this.addSql('CREATE INDEX IF NOT EXISTS return_items_variant_id_idx ON return_items (variant_id)');

    this.addSql(`CREATE TABLE IF NOT EXISTS return_authorizations (
      id uuid NOT NULL,
      return_request_id uuid NOT NULL,
      rma_number text NOT NULL,
      return_address jsonb NOT NULL,
      return_instructions text,
      tracking_number text,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT return_authorizations_pkey PRIMARY KEY (id),
      CONSTRAINT return_authorizations_return_request_id_unique UNIQUE (return_request_id),
      CONSTRAINT return_authorizations_rma_number_unique UNIQUE (rma_number),
      CONSTRAINT return_authorizations_return_request_id_fkey FOREIGN KEY (return_request_id)
        REFERENCES return_requests (id) ON DELETE CASCADE
    )`);
    this.addSql(
      `CREATE INDEX IF NOT EXISTS return_authorizations_tracking_number_idx ON return_authorizations (tracking_number)
         WHERE tracking_number IS NOT NULL`,
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS return_status_history (
      id uuid NOT NULL,
      return_request_id uuid NOT NULL,
      status text NOT NULL,
      previous_status text,
      changed_by text NOT NULL,
      notes text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT return_status_history_pkey PRIMARY KEY (id),
      CONSTRAINT return_status_history_return_request_id_fkey FOREIGN KEY (return_request_id)
        REFERENCES return_requests (id) ON DELETE CASCADE,
      CONSTRAINT return_status_history_status_check CHECK (status IN (${RETURN_STATUSES})),
      CONSTRAINT return_status_history_previous_status_check CHECK (previous_status IN (${RETURN_STATUSES})),
      CONSTRAINT return_status_history_changed_by_check CHECK (changed_by <> '')
    )`);
    this.addSql(
      `CREATE INDEX IF NOT EXISTS return_status_history_return_request_id_created_at_idx
         ON return_status_history (return_request_id, created_at)`,
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS return_tracking (
      id uuid NOT NULL,
      authorization_id uuid NOT NULL,
      status text NOT NULL,
      location text,
      description text,
      occurred_at timestamptz NOT NULL,
      carrier_data jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT return_tracking_pkey PRIMARY KEY (id),
      CONSTRAINT return_tracking_authorization_id_fkey FOREIGN KEY (authorization_id)
        REFERENCES return_authorizations (id) ON DELETE CASCADE,
      CONSTRAINT return_tracking_status_check CHECK (
        status IN ('pending', 'in_transit', 'out_for_delivery', 'delivered', 'exception')
      )
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS return_tracking_authorization_id_occurred_at_idx ON return_tracking (authorization_id, occurred_at)',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS refunds (
      id uuid NOT NULL,
      return_request_id uuid NOT NULL,
      payment_id uuid,
      order_id uuid NOT NULL,
      user_id uuid NOT NULL,
      refund_method text NOT NULL,
      amount numeric(12,2) NOT NULL,
      currency char(3) NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      reason text,
      payment_refund_id uuid,
      idempotency_key text NOT NULL,
      failure_message text,
      processed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT refunds_pkey PRIMARY KEY (id),
      CONSTRAINT refunds_idempotency_key_unique UNIQUE (idempotency_key),
      CONSTRAINT refunds_return_request_id_fkey FOREIGN KEY (return_request_id) REFERENCES return_requests (id)
        ON DELETE RESTRICT,
      CONSTRAINT refunds_refund_method_check CHECK (refund_method IN (${REFUND_METHODS})),
      CONSTRAINT refunds_status_check CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
      CONSTRAINT refunds_amount_check CHECK (amount > 0),
      CONSTRAINT refunds_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
      CONSTRAINT refunds_payment_id_check CHECK (refund_method <> 'original_payment' OR payment_id IS NOT NULL)
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS refunds_return_request_id_idx ON refunds (return_request_id)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS refunds_payment_id_idx ON refunds (payment_id) WHERE payment_id IS NOT NULL',
    );
    this.addSql('CREATE INDEX IF NOT EXISTS refunds_order_id_idx ON refunds (order_id)');
    this.addSql('CREATE INDEX IF NOT EXISTS refunds_user_id_idx ON refunds (user_id)');
    this.addSql(
      "CREATE INDEX IF NOT EXISTS refunds_open_idx ON refunds (created_at) WHERE status IN ('pending', 'processing')",
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS refunds');
    this.addSql('DROP TABLE IF EXISTS return_tracking');
    this.addSql('DROP TABLE IF EXISTS return_status_history');
    this.addSql('DROP TABLE IF EXISTS return_authorizations');
    this.addSql('DROP TABLE IF EXISTS return_items');
    this.addSql('DROP TABLE IF EXISTS return_requests');
  }
}
