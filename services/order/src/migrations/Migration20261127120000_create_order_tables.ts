import { Migration } from '@mikro-orm/migrations';

const ORDER_STATUSES = `'pending', 'confirmed', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded', 'partially_refunded'`;
const PAYMENT_STATUSES = `'pending', 'authorized', 'paid', 'failed', 'refunded', 'partially_refunded'`;

/**
 * order_db: the five tables of docs/database/order_db.md. Hand-written SQL (partitioned history, partial
 * indexes); every statement is `IF NOT EXISTS`, so running it again is harmless. `user_id` (auth),
 * `cart_id` (cart), `coupon_code` (discount), `payment_id` (payment), `shipping_method_id`
 * (shipping), `product_id`/`variant_id` (product) are cross-service: indexed, no foreign key.
 */
export class Migration20261127120000_create_order_tables extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE IF NOT EXISTS orders (
      id uuid NOT NULL,
      order_number text NOT NULL,
      user_id uuid NOT NULL,
      cart_id uuid,
      status text NOT NULL DEFAULT 'pending',
      payment_status text NOT NULL DEFAULT 'pending',
      subtotal numeric(12,2) NOT NULL,
      tax_amount numeric(12,2) NOT NULL DEFAULT 0,
      shipping_amount numeric(12,2) NOT NULL DEFAULT 0,
      discount_amount numeric(12,2) NOT NULL DEFAULT 0,
      total_amount numeric(12,2) NOT NULL,
      currency char(3) NOT NULL,
      coupon_code text,
      payment_id uuid,
      shipping_method_id uuid,
      tracking_number text,
      estimated_delivery_date timestamptz,
      shipped_at timestamptz,
      delivered_at timestamptz,
      cancelled_at timestamptz,
      cancellation_reason text,
      idempotency_key text NOT NULL,
      version integer NOT NULL DEFAULT 1,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT orders_pkey PRIMARY KEY (id),
      CONSTRAINT orders_order_number_unique UNIQUE (order_number),
      CONSTRAINT orders_user_id_idempotency_key_unique UNIQUE (user_id, idempotency_key),
      CONSTRAINT orders_status_check CHECK (status IN (${ORDER_STATUSES})),
      CONSTRAINT orders_payment_status_check CHECK (payment_status IN (${PAYMENT_STATUSES})),
      CONSTRAINT orders_amounts_check CHECK (
        subtotal >= 0 AND tax_amount >= 0 AND shipping_amount >= 0 AND discount_amount >= 0 AND total_amount >= 0
      ),
      CONSTRAINT orders_total_amount_check CHECK (
        total_amount = subtotal + tax_amount + shipping_amount - discount_amount
      ),
      CONSTRAINT orders_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
      CONSTRAINT orders_cancelled_at_check CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL),
      CONSTRAINT orders_delivered_at_check CHECK (status <> 'delivered' OR delivered_at IS NOT NULL),
      CONSTRAINT orders_idempotency_key_check CHECK (idempotency_key <> ''),
      CONSTRAINT orders_version_check CHECK (version >= 1)
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS orders_user_id_created_at_idx ON orders (user_id, created_at DESC)',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS orders_status_created_at_idx ON orders (status, created_at DESC)',
    );
    this.addSql('CREATE INDEX IF NOT EXISTS orders_created_at_idx ON orders (created_at DESC)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS orders_cart_id_idx ON orders (cart_id) WHERE cart_id IS NOT NULL',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS orders_coupon_code_idx ON orders (coupon_code) WHERE coupon_code IS NOT NULL',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS orders_payment_id_idx ON orders (payment_id) WHERE payment_id IS NOT NULL',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS orders_shipping_method_id_idx ON orders (shipping_method_id) WHERE shipping_method_id IS NOT NULL',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS orders_tracking_number_idx ON orders (tracking_number) WHERE tracking_number IS NOT NULL',
    );
    // The saga recovery loop: orders still pending after a crash.
    this.addSql(
      "CREATE INDEX IF NOT EXISTS orders_pending_idx ON orders (created_at) WHERE status = 'pending'",
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS order_items (
      id uuid NOT NULL,
      order_id uuid NOT NULL,
      product_id uuid NOT NULL,
      variant_id uuid NOT NULL,
      product_name text NOT NULL,
      product_sku text NOT NULL,
      product_image_url text,
      unit_price numeric(12,2) NOT NULL,
      quantity integer NOT NULL,
      discount_amount numeric(12,2) NOT NULL DEFAULT 0,
      total_price numeric(12,2) NOT NULL,
      currency char(3) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT order_items_pkey PRIMARY KEY (id),
      CONSTRAINT order_items_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
      CONSTRAINT order_items_quantity_check CHECK (quantity > 0),
      CONSTRAINT order_items_amounts_check CHECK (unit_price >= 0 AND discount_amount >= 0 AND total_price >= 0),
      CONSTRAINT order_items_total_price_check CHECK (total_price = unit_price * quantity - discount_amount),
      CONSTRAINT order_items_currency_check CHECK (currency ~ '^[A-Z]{3}$')
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS order_items_order_id_idx ON order_items (order_id)');
    this.addSql('CREATE INDEX IF NOT EXISTS order_items_product_id_idx ON order_items (product_id)');
    this.addSql('CREATE INDEX IF NOT EXISTS order_items_variant_id_idx ON order_items (variant_id)');

    // [monthly] Partitions live in the `partitions` schema (lib/db/partitions.ts); the DEFAULT
    // partition catches any row whose month has no partition yet, so inserts never fail.
    this.addSql('CREATE SCHEMA IF NOT EXISTS partitions');
    this.addSql(`CREATE TABLE IF NOT EXISTS order_status_history (
      id uuid NOT NULL,
      order_id uuid NOT NULL,
      status text NOT NULL,
      previous_status text,
      changed_by text NOT NULL,
      reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT order_status_history_pkey PRIMARY KEY (id, created_at),
      CONSTRAINT order_status_history_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
      CONSTRAINT order_status_history_status_check CHECK (status IN (${ORDER_STATUSES})),
      CONSTRAINT order_status_history_previous_status_check CHECK (previous_status IN (${ORDER_STATUSES})),
      CONSTRAINT order_status_history_changed_by_check CHECK (changed_by <> '')
    ) PARTITION BY RANGE (created_at)`);
    this.addSql(
      'CREATE TABLE IF NOT EXISTS partitions.order_status_history_default PARTITION OF order_status_history DEFAULT',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS order_status_history_order_id_created_at_idx ON order_status_history (order_id, created_at)',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS shipping_addresses (
      id uuid NOT NULL,
      order_id uuid NOT NULL,
      name text NOT NULL,
      company text,
      line1 text NOT NULL,
      line2 text,
      city text NOT NULL,
      state text,
      postal_code text,
      country char(2) NOT NULL,
      phone text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT shipping_addresses_pkey PRIMARY KEY (id),
      CONSTRAINT shipping_addresses_order_id_unique UNIQUE (order_id),
      CONSTRAINT shipping_addresses_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
      CONSTRAINT shipping_addresses_country_check CHECK (country ~ '^[A-Z]{2}$')
    )`);

    this.addSql(`CREATE TABLE IF NOT EXISTS order_notes (
      id uuid NOT NULL,
      order_id uuid NOT NULL,
      note text NOT NULL,
      created_by text NOT NULL,
      is_internal boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT order_notes_pkey PRIMARY KEY (id),
      CONSTRAINT order_notes_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
      CONSTRAINT order_notes_note_check CHECK (note <> '')
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS order_notes_order_id_created_at_idx ON order_notes (order_id, created_at)',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS order_notes');
    this.addSql('DROP TABLE IF EXISTS shipping_addresses');
    this.addSql('DROP TABLE IF EXISTS order_status_history');
    this.addSql('DROP SCHEMA IF EXISTS partitions');
    this.addSql('DROP TABLE IF EXISTS order_items');
    this.addSql('DROP TABLE IF EXISTS orders');
  }
}
